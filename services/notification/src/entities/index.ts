// Filled in with the notification_db entities (DATABASES.md).
export const notificationEntities = [];
