// Filled in with the order_db entities (DATABASES.md).
export const orderEntities = [];
