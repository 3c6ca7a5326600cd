import { EmailTemplate } from './email-template.js';
import { NotificationLog } from './notification-log.js';
import { NotificationPreference } from './notification-preference.js';
import { Notification } from './notification.js';

export { EmailTemplate, Notification, NotificationLog, NotificationPreference };

export const notificationEntities = [Notification, EmailTemplate, NotificationPreference, NotificationLog];
