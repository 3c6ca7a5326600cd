import { EmailTemplate } from './email-template.js';
import { NotificationKey } from './notification-key.js';
import { NotificationLog } from './notification-log.js';
import { NotificationPreference } from './notification-preference.js';
import { Notification } from './notification.js';
import { OrderContact } from './order-contact.js';

export {
  EmailTemplate,
  Notification,
  NotificationKey,
  NotificationLog,
  NotificationPreference,
  OrderContact,
};

export const notificationEntities = [
  Notification,
  EmailTemplate,
  NotificationPreference,
  NotificationLog,
  NotificationKey,
  OrderContact,
];
