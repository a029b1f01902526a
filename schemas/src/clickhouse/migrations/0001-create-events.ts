import type { Migration } from '../migration.js';

/**
 * The events table: hot fields as real columns, the rest as JSON text (lossless: no key rewriting).
 *
 * - Deduplication happens before/at insert (recent-ids filter + insert_deduplication_token), never
 *   through the sort key, so reads need no FINAL. `non_replicated_deduplication_window` turns on
 *   token dedup for a single-node MergeTree (chDB); a Replicated table has it on by default.
 * - Sorted by source, event name and day: the access path of funnels and counts. A person key is
 *   added by identity resolution later; bloom-filter indexes serve lookups by id until then.
 */
export const createEvents: Migration = {
  version: 1,
  name: 'create-events',
  statements: [
    `CREATE TABLE IF NOT EXISTS events (
      source_id LowCardinality(String),
      message_id String,
      type LowCardinality(String),
      event String,
      name String,
      anonymous_id String,
      user_id String,
      group_id String,
      previous_id String,
      timestamp DateTime64(3, 'UTC'),
      original_timestamp Nullable(DateTime64(3, 'UTC')),
      sent_at Nullable(DateTime64(3, 'UTC')),
      received_at DateTime64(3, 'UTC'),
      ip String,
      user_agent String,
      browser LowCardinality(String),
      browser_version String,
      os LowCardinality(String),
      os_version String,
      device_type LowCardinality(String),
      is_bot Bool,
      page_url String,
      page_path String,
      page_referrer String,
      utm_source String,
      utm_medium String,
      utm_campaign String,
      utm_term String,
      utm_content String,
      fbclid String,
      gclid String,
      ttclid String,
      msclkid String,
      order_id String,
      revenue Nullable(Float64),
      currency LowCardinality(String),
      product_ids Array(String),
      properties String,
      traits String,
      context String,
      INDEX idx_message_id message_id TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX idx_anonymous_id anonymous_id TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 4
    )
    ENGINE = MergeTree
    PARTITION BY toYYYYMM(timestamp)
    ORDER BY (source_id, event, toDate(timestamp), timestamp)
    SETTINGS non_replicated_deduplication_window = 10000`,
  ],
};
