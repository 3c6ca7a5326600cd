export * from './orm.js';
export { ensureDatabaseExists } from './create-database.js';
