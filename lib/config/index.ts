export * from './topology.js';
export * from './env.js';
export * from './service-config.js';
export * from './process-settings.js';
