// Filled in with the shipping_db entities (DATABASES.md).
export const shippingEntities = [];
