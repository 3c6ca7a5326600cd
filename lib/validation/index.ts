export * from './violations.js';
export * from './postal-address.js';
