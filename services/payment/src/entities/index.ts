// Filled in with the payment_db entities (DATABASES.md).
export const paymentEntities = [];
