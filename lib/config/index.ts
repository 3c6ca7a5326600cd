export * from './topology.js';
export * from './env.js';
export * from './service-config.js';
