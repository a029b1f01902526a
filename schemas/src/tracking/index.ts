export * from './message-schemas.js';
export * from './batch-schema.js';
export * from './validate-event.js';
