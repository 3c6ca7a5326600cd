export { ensureEmailTemplates, seedNotificationDemo } from './seed-email-templates.js';
export { DEMO_EMAIL_TEMPLATES, EVENTS_WITHOUT_EMAIL } from './email-templates.js';
