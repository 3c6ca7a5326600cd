export * from './principal.js';
export * from './access-rule.js';
export * from './claims.js';
export * from './token-verifier.js';
export * from './key-ring.js';
export { TokenSigner } from './token-signer.js';
