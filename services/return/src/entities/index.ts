// Filled in with the return_db entities (DATABASES.md).
export const returnEntities = [];
