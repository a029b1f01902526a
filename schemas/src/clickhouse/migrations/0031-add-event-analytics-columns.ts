import type { Migration } from '../migration.js';

/**
 * Columns computed at insert that journey analytics (segment-engine `analytics/`) reads instead of
 * the wide JSON text and string ids, so funnels, attribution and KPIs at millions of events read a
 * few bytes per row:
 * - `key_hash`: cityHash64 of the event's identifier (`u:` + userId, else `a:` + anonymousId), the
 *   same formula as a person id (`cityHash64(canonical)`): an event whose identifier is its own
 *   canonical has `person_id = key_hash`, the others are found in `identity_map` by that hash.
 * - `session_start`: the page view that starts a session (`context.sessionStart`), without reading
 *   `context` (by far the widest column).
 * - `campaign_tagged`: the event carries UTM tags or an ad click id.
 * - `channel`: the marketing channel from the UTM medium/source, click ids and referrer (the rules of
 *   the simulator's `classifyChannel`; analytics reads only this column, names in `analytics/channel-sql.ts`).
 *
 * Existing rows: ClickHouse computes a MATERIALIZED column of an older part on read until the part is
 * rewritten, so answers are right at once; `MATERIALIZE COLUMN` rewrites the parts in the background
 * (`mutations_sync = 0`: chDB would otherwise wait, ~7 s per 13.5M events on 2 cores; watch
 * `system.mutations`). Every statement can be re-run.
 */
/**
 * Every value of the materialized `channel` column (EVENT_CHANNEL_EXPRESSION below, the same rules as the
 * simulator's `classifyChannel`), in alphabetical order: segment-engine's channel codes are 1-based
 * indexes here, and API filters on a channel accept only these.
 */
export const CHANNEL_NAMES = ['affiliate', 'direct', 'email', 'facebook_ads', 'google_ads', 'instagram_ads', 'organic_search', 'tiktok_ads'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export const EVENT_CHANNEL_EXPRESSION = `multiIf(
  lower(utm_medium) IN ('affiliate', 'referral'), 'affiliate',
  lower(utm_medium) = 'email', 'email',
  ttclid != '' OR lower(utm_source) = 'tiktok', 'tiktok_ads',
  gclid != '' OR (lower(utm_source) = 'google' AND lower(utm_medium) = 'cpc'), 'google_ads',
  lower(utm_source) = 'instagram', 'instagram_ads',
  fbclid != '' OR lower(utm_source) = 'facebook', 'facebook_ads',
  match(page_referrer, '^https?://(www\\\\.)?(google|bing|duckduckgo)\\\\.'), 'organic_search',
  'direct')`;

const COLUMNS = ['key_hash', 'session_start', 'campaign_tagged', 'channel'] as const;

export const addEventAnalyticsColumns: Migration = {
  version: 31,
  name: 'add-event-analytics-columns',
  statements: [
    `ALTER TABLE events
      ADD COLUMN IF NOT EXISTS key_hash UInt64 MATERIALIZED cityHash64(if(user_id != '', concat('u:', user_id), concat('a:', anonymous_id))),
      ADD COLUMN IF NOT EXISTS session_start Bool MATERIALIZED type = 'page' AND position(context, '"sessionStart":true') > 0,
      ADD COLUMN IF NOT EXISTS campaign_tagged Bool MATERIALIZED utm_source != '' OR utm_medium != '' OR fbclid != '' OR gclid != '' OR ttclid != '' OR msclkid != '',
      ADD COLUMN IF NOT EXISTS channel LowCardinality(String) MATERIALIZED ${EVENT_CHANNEL_EXPRESSION}`,
    `ALTER TABLE events ${COLUMNS.map((c) => `MATERIALIZE COLUMN ${c}`).join(', ')} SETTINGS mutations_sync = 0`,
  ],
};
