export * from './violations.js';
export * from './email.js';
export * from './postal-address.js';
