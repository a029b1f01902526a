import type { Migration } from '../migration.js';

/**
 * KPI alerts (segment-engine `analytics/alerts.ts`).
 * - `alert_rules`: a rule on a KPI (threshold or relative change), ReplacingMergeTree on `revision`,
 *   read with FINAL (a small admin table); `deleted = 1` is a tombstone.
 * - `alert_events`: every evaluation that changed a rule's state: `fired` (once per breach) or
 *   `recovered`; the latest row of a rule is its state. `delivery` says what the webhook answered.
 */
export const createAlertTables: Migration = {
  version: 30,
  name: 'create-alert-tables',
  statements: [
    `CREATE TABLE IF NOT EXISTS alert_rules (
      id String,
      name String,
      definition String,
      created_at DateTime64(3, 'UTC'),
      revision UInt64,
      deleted UInt8
    )
    ENGINE = ReplacingMergeTree(revision)
    ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS alert_events (
      rule_id String,
      at DateTime64(3, 'UTC'),
      kind Enum8('fired' = 1, 'recovered' = 2),
      kpi LowCardinality(String),
      value Float64,
      threshold Float64,
      delivery String
    )
    ENGINE = MergeTree
    ORDER BY (rule_id, at)`,
  ],
};
