import type { Migration } from '../migration.js';

/**
 * Profiles: computed traits and tags per person, both versioned like `identity_map` (a refresh writes
 * a new `version` partition, records it in `engine_runs`, drops the old ones).
 *
 * - `person_traits`: one row per person (every person with at least one event). Revenue is in USD,
 *   converted with the latest `exchange_rates` row of each currency (rate 1 when none is known).
 *   `traits` is the merge of identify traits (latest value of each key) as JSON text.
 * - `person_tags`: built-in tags (RFM, lifecycle, channel, ...) and user-defined tags (DSL).
 */
export const createProfileTables: Migration = {
  version: 11,
  name: 'create-profile-tables',
  statements: [
    `CREATE TABLE IF NOT EXISTS person_traits (
      version UInt64,
      person_id UInt64,
      first_seen DateTime64(3, 'UTC'),
      last_seen DateTime64(3, 'UTC'),
      events_count UInt64,
      sessions UInt64,
      orders_count UInt64,
      lifetime_revenue Float64,
      average_order_value Float64,
      first_order_at Nullable(DateTime64(3, 'UTC')),
      last_order_at Nullable(DateTime64(3, 'UTC')),
      discount_orders UInt64,
      first_touch_source String,
      first_touch_medium String,
      first_touch_campaign String,
      first_touch_content String,
      first_touch_term String,
      first_touch_click_id String,
      first_touch_ad_id String,
      first_referrer String,
      last_touch_source String,
      last_touch_medium String,
      last_touch_campaign String,
      click_ids Array(String),
      favourite_categories Array(String),
      email String,
      phone String,
      traits String
    )
    ENGINE = MergeTree
    PARTITION BY version
    ORDER BY person_id`,
    `CREATE TABLE IF NOT EXISTS person_tags (
      version UInt64,
      person_id UInt64,
      tag LowCardinality(String),
      INDEX idx_person_id person_id TYPE bloom_filter(0.01) GRANULARITY 1
    )
    ENGINE = MergeTree
    PARTITION BY version
    ORDER BY (tag, person_id)`,
  ],
};
