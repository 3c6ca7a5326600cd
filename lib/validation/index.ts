export * from './violations.js';
export * from './email.js';
