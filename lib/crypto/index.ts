export * from './encryption-keys.js';
export * from './secret-cipher.js';
