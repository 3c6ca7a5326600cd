export * from './orm.js';
export { dropDatabases, ensureDatabaseExists } from './create-database.js';
