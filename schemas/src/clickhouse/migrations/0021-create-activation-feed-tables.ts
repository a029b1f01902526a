import type { Migration } from '../migration.js';

/**
 * Activation additions (activation-connectors), next to the audience tables of 0020.
 *
 * - `activation_run_leases`: the cross-process run lock (`run-lock/clickhouse-lease-lock.ts`). Rows are
 *   only appended: a `claim` per attempt on a lease epoch, `renew` rows from the holder, a `release` at
 *   the end. The holder of an epoch is the claim inserted first (server time `inserted_at`, then owner);
 *   its expiry is the latest `expires_at` of the holder's rows. Both times come from the server clock
 *   (DEFAULTs), so processes with skewed clocks agree. Old rows go by TTL.
 * - `whatsapp_message_log`: which person (and phone) got which WhatsApp message id (`wamid`), written
 *   when Meta accepted the send; status webhooks find their person through it.
 * - `conversion_feeds`: Conversions API feeds (settings with the token sealed, schedule), like `audiences`.
 * - `conversion_feed_runs`: a feed's run history; a run is rewritten as it progresses.
 * - `conversion_feed_cursors`: per feed, the (received_at, message_id) of the last event Meta acknowledged.
 */
export const createActivationFeedTables: Migration = {
  version: 21,
  name: 'create-activation-feed-tables',
  statements: [
    `CREATE TABLE IF NOT EXISTS activation_run_leases (
      lock_key String,
      epoch UInt64,
      owner String,
      kind Enum8('claim' = 1, 'renew' = 2, 'release' = 3),
      ttl_ms UInt32,
      inserted_at DateTime64(6, 'UTC') DEFAULT now64(6),
      expires_at DateTime64(3, 'UTC') DEFAULT inserted_at + toIntervalMillisecond(ttl_ms)
    )
    ENGINE = MergeTree
    ORDER BY (lock_key, epoch, inserted_at)
    TTL toDateTime(expires_at) + INTERVAL 7 DAY`,
    `CREATE TABLE IF NOT EXISTS whatsapp_message_log (
      wamid String,
      campaign String,
      person_id String,
      user_id String,
      recipient_phone String,
      sent_at DateTime64(3, 'UTC') DEFAULT now64(3)
    )
    ENGINE = MergeTree
    ORDER BY wamid`,
    `CREATE TABLE IF NOT EXISTS conversion_feeds (
      id String,
      name String,
      feed String,
      created_at DateTime64(3, 'UTC'),
      updated_at DateTime64(3, 'UTC'),
      revision UInt64,
      deleted UInt8
    )
    ENGINE = ReplacingMergeTree(revision)
    ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS conversion_feed_runs (
      feed_id String,
      run_id String,
      started_at DateTime64(3, 'UTC'),
      status LowCardinality(String),
      run String,
      revision UInt64
    )
    ENGINE = ReplacingMergeTree(revision)
    ORDER BY (feed_id, run_id)`,
    `CREATE TABLE IF NOT EXISTS conversion_feed_cursors (
      feed_id String,
      received_at DateTime64(3, 'UTC'),
      message_id String,
      revision UInt64
    )
    ENGINE = ReplacingMergeTree(revision)
    ORDER BY feed_id`,
  ],
};
