import type { Migration } from '../migration.js';

/**
 * What the storefront's events do not carry but journey KPIs need (CTR, CPC, ROAS, commissions,
 * multi-currency revenue). Filled by CSV import (`sextant demo --import <dir>`: the simulator writes
 * these files; a real store exports them from its ad platforms and affiliate network). An import
 * replaces the rows of the days (ad spend, rates) or affiliates it covers.
 *
 * - `ad_spend`: one row per source, day, channel, campaign and ad set. `channel` is the simulator's
 *   channel key (`facebook_ads`, `instagram_ads`, `google_ads`, `tiktok_ads`); `utm_source`,
 *   `utm_medium`, `campaign` (= `utm_campaign`) and `ad_set` (= `utm_content`) are the values the
 *   ads' landing URLs carry, so spend joins to `events` on them. `spend` is in `currency` (the ad
 *   account's). CTR = clicks / impressions, CPC = spend / clicks, ROAS = attributed revenue / spend.
 * - `exchange_rates`: units of `currency` per 1 USD on `date`, to put order revenue (in the
 *   shopper's currency) and spend on one scale.
 * - `affiliates`: partner sites and the customer referral programme; `utm_source` is what their
 *   links carry (`utm_medium` `affiliate` or `referral`), orders they brought carry `affiliate_id`
 *   in `properties`; `commission_rate` is the share of revenue paid out.
 *
 * Reviews (`Product Reviewed`: rating, product_id), memberships (`Membership Started`: plan, price)
 * and referrals (`Order Completed`: affiliate_id, referrer_user_id) are events in `events`.
 */
export const createMarketingData: Migration = {
  version: 3,
  name: 'create-marketing-data',
  statements: [
    `CREATE TABLE IF NOT EXISTS ad_spend (
      source_id LowCardinality(String),
      date Date,
      channel LowCardinality(String),
      utm_source LowCardinality(String),
      utm_medium LowCardinality(String),
      campaign_id String,
      campaign String,
      ad_set_id String,
      ad_set String,
      currency LowCardinality(String),
      impressions UInt64,
      clicks UInt64,
      spend Float64,
      imported_at DateTime64(3, 'UTC') DEFAULT now64(3)
    )
    ENGINE = MergeTree
    PARTITION BY toYYYYMM(date)
    ORDER BY (source_id, date, channel, campaign_id, ad_set_id)`,
    `CREATE TABLE IF NOT EXISTS exchange_rates (
      date Date,
      currency LowCardinality(String),
      usd_rate Float64,
      imported_at DateTime64(3, 'UTC') DEFAULT now64(3)
    )
    ENGINE = MergeTree
    ORDER BY (date, currency)`,
    `CREATE TABLE IF NOT EXISTS affiliates (
      source_id LowCardinality(String),
      affiliate_id String,
      name String,
      kind LowCardinality(String),
      utm_source String,
      commission_rate Float64,
      imported_at DateTime64(3, 'UTC') DEFAULT now64(3)
    )
    ENGINE = MergeTree
    ORDER BY (source_id, affiliate_id)`,
  ],
};
