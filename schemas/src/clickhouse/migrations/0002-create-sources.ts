import type { Migration } from '../migration.js';

/** Sources: one per storefront, each with its own write key. Rows are only ever added. */
export const createSources: Migration = {
  version: 2,
  name: 'create-sources',
  statements: [
    `CREATE TABLE IF NOT EXISTS sources (
      id String,
      name String,
      write_key String,
      created_at DateTime64(3, 'UTC')
    )
    ENGINE = MergeTree
    ORDER BY id`,
  ],
};
