export * from './clickhouse/migration.js';
export * from './clickhouse/migrations/index.js';
export * from './config/sextant-config.js';
