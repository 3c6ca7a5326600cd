export * from './violations.js';
