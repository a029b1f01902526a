export * from './clickhouse/migration.js';
export * from './clickhouse/migrations/index.js';
export * from './config/sextant-config.js';
export * from './tracking/index.js';
export * from './ecommerce/index.js';
export * from './clickhouse/event-row.js';
export * from './segments/index.js';
export * from './analytics/index.js';
