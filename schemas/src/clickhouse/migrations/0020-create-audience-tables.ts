import type { Migration } from '../migration.js';

/**
 * Audiences and their syncs (activation-connectors). Small admin tables, ReplacingMergeTree on a
 * monotonic `revision`, read with FINAL.
 *
 * - `audiences`: a segment plus destinations (type, settings with secrets sealed, cron, mode) as JSON.
 * - `audience_runs`: the run history per audience–destination pair; a run is rewritten as it progresses.
 * - `audience_sync_state`: per pair, the destination state (audience id), the checkpoint of a run that
 *   has not finished, and members deferred by quiet hours.
 * - `audience_send_state`: per campaign and person, in flight / sent, so a message is never sent twice.
 */
export const createAudienceTables: Migration = {
  version: 20,
  name: 'create-audience-tables',
  statements: [
    `CREATE TABLE IF NOT EXISTS audiences (
      id String,
      name String,
      segment_id String,
      destinations String,
      created_at DateTime64(3, 'UTC'),
      updated_at DateTime64(3, 'UTC'),
      revision UInt64,
      deleted UInt8
    )
    ENGINE = ReplacingMergeTree(revision)
    ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS audience_runs (
      audience_id String,
      destination_id String,
      run_id String,
      started_at DateTime64(3, 'UTC'),
      status LowCardinality(String),
      run String,
      revision UInt64
    )
    ENGINE = ReplacingMergeTree(revision)
    ORDER BY (audience_id, destination_id, run_id)`,
    `CREATE TABLE IF NOT EXISTS audience_sync_state (
      pair String,
      kind LowCardinality(String),
      value String,
      revision UInt64
    )
    ENGINE = ReplacingMergeTree(revision)
    ORDER BY (pair, kind)`,
    `CREATE TABLE IF NOT EXISTS audience_send_state (
      campaign String,
      person_id String,
      state Enum8('in_flight' = 1, 'sent' = 2, 'cleared' = 3),
      revision UInt64
    )
    ENGINE = ReplacingMergeTree(revision)
    ORDER BY (campaign, person_id)`,
  ],
};
