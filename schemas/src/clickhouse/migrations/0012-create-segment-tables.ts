import type { Migration } from '../migration.js';

/**
 * Segments and user-defined tags (`kind`), their materialized membership and its history.
 *
 * - `segment_definitions`: the DSL as JSON text; a change inserts a new row with a higher `revision`
 *   (ReplacingMergeTree on a small admin table, read with FINAL). `deleted = 1` is a tombstone.
 * - `segment_members`: membership per refresh `version`; the current one is the highest version in
 *   `segment_refreshes` for the segment. Older versions are removed after each refresh.
 * - `segment_membership_changes`: when each person entered and left: what audiences diff against.
 */
export const createSegmentTables: Migration = {
  version: 12,
  name: 'create-segment-tables',
  statements: [
    `CREATE TABLE IF NOT EXISTS segment_definitions (
      id String,
      kind LowCardinality(String),
      name String,
      description String,
      definition String,
      created_at DateTime64(3, 'UTC'),
      updated_at DateTime64(3, 'UTC'),
      revision UInt64,
      deleted UInt8
    )
    ENGINE = ReplacingMergeTree(revision)
    ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS segment_members (
      segment_id String,
      version UInt64,
      person_id UInt64,
      INDEX idx_person_id person_id TYPE bloom_filter(0.01) GRANULARITY 1
    )
    ENGINE = MergeTree
    ORDER BY (segment_id, version, person_id)`,
    `CREATE TABLE IF NOT EXISTS segment_refreshes (
      segment_id String,
      version UInt64,
      refreshed_at DateTime64(3, 'UTC') DEFAULT now64(3),
      members UInt64,
      entered UInt64,
      left UInt64,
      duration_ms UInt64
    )
    ENGINE = MergeTree
    ORDER BY (segment_id, version)`,
    `CREATE TABLE IF NOT EXISTS segment_membership_changes (
      segment_id String,
      person_id UInt64,
      change Enum8('entered' = 1, 'left' = 2),
      version UInt64,
      at DateTime64(3, 'UTC')
    )
    ENGINE = MergeTree
    ORDER BY (segment_id, at, person_id)`,
  ],
};
