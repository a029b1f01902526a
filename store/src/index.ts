export { createStore, type RawInsert, type Store, type StoreOptions } from './create-store.js';
export { runMigrations } from './run-migrations.js';
export { StoreError, type StoreErrorCode } from './store-error.js';
