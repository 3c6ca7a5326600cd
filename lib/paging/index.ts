export * from './keyset-page.js';
export * from './page-size.js';
export * from './page-token.js';
export * from './sort-key.js';
