// Filled in with the discount_db entities (DATABASES.md).
export const discountEntities = [];
