import { CURRENT_TRAITS_SQL } from '../traits/refresh-person-traits.js';

/** Built-in tags, documented in ARCHITECTURE.md. Prefixes group them: `rfm:`, `lifecycle:`, `channel:`, ... */
export const BUILT_IN_TAG_GROUPS = {
  rfm: ['rfm:champions', 'rfm:loyal', 'rfm:potential_loyalist', 'rfm:new_customer', 'rfm:need_attention', 'rfm:at_risk', 'rfm:hibernating', 'rfm:score:RFM'],
  lifecycle: ['lifecycle:new', 'lifecycle:active', 'lifecycle:repeat_buyer', 'lifecycle:at_risk', 'lifecycle:churned'],
  behaviour: ['loyal_fan', 'super_user', 'discount_sensitive', 'high_value'],
  channel: ['channel:facebook_ad', 'channel:instagram_ad', 'channel:google', 'channel:tiktok', 'channel:email', 'channel:organic', 'channel:referral', 'channel:direct', 'channel:other'],
  acquisition: ['campaign:<utm_campaign>', 'ad_set:<utm_content>', 'ad:<ad_id or utm_term>'],
} as const;

/**
 * Every built-in tag of every current person, as one `INSERT ... SELECT` from `person_traits`:
 * - RFM: R, F and M are scores 1-5 from the percent rank among buyers (ties share a score): R by days since the last order
 *   (recent = 5), F by orders, M by lifetime revenue. Groups: champions R≥4 F≥4; loyal R≥3 F≥4;
 *   potential loyalist R≥4 F 2-3; new customer R≥4 F=1; at risk R≤2 F≥3; hibernating R≤2 F≤2; else
 *   need attention. `rfm:score:545` holds the three scores.
 * - lifecycle (days relative to `now`): new (first seen ≤ 30 days, ≤ 1 order); churned (last order, or
 *   last visit without orders, > 180 days); at risk (last order 91-180 days); repeat buyer (≥ 2 orders);
 *   else active.
 * - loyal fan ≥ 3 orders; super user ≥ 10 sessions; discount sensitive ≥ 2 orders and ≥ half with a
 *   coupon; high value: lifetime revenue in the top 10 % of buyers.
 * - channel of the first touch: Instagram/Facebook ad (utm_source or fbclid), Google (source or gclid),
 *   TikTok (source or ttclid), email (medium), referral (medium referral/affiliate or another site),
 *   organic (a search engine referrer), direct (no referrer), other (any other utm_source).
 * - `campaign:`, `ad_set:`, `ad:` from the first touch's utm_campaign, utm_content and ad id / utm_term.
 */
export function builtInTagsInsertSql(): string {
  const src = `lower(first_touch_source)`;
  const medium = `lower(first_touch_medium)`;
  const clk = `first_touch_click_id`;
  const channel = `multiIf(
      ${src} IN ('instagram', 'ig'), 'channel:instagram_ad',
      ${src} IN ('facebook', 'fb', 'meta') OR startsWith(${clk}, 'fbclid:'), 'channel:facebook_ad',
      ${src} = 'google' OR startsWith(${clk}, 'gclid:'), 'channel:google',
      ${src} = 'tiktok' OR startsWith(${clk}, 'ttclid:'), 'channel:tiktok',
      ${medium} = 'email', 'channel:email',
      ${medium} IN ('referral', 'affiliate'), 'channel:referral',
      ${src} != '', 'channel:other',
      first_referrer = '', 'channel:direct',
      match(domain(first_referrer), '(^|\\\\.)(google|bing|duckduckgo|yahoo|yandex|baidu|ecosia)\\\\.'), 'channel:organic',
      'channel:referral')`;
  return `INSERT INTO person_tags
    SELECT {version:UInt64}, person_id, tag FROM (
      SELECT person_id, arrayFilter(x -> x != '', [
        multiIf(orders_count = 0, '',
          r >= 4 AND f >= 4, 'rfm:champions',
          r >= 3 AND f >= 4, 'rfm:loyal',
          r >= 4 AND f >= 2, 'rfm:potential_loyalist',
          r >= 4, 'rfm:new_customer',
          r <= 2 AND f >= 3, 'rfm:at_risk',
          r <= 2, 'rfm:hibernating',
          'rfm:need_attention'),
        if(orders_count > 0, concat('rfm:score:', toString(r), toString(f), toString(m)), ''),
        multiIf(
          dateDiff('day', first_seen, {now:DateTime64(3, 'UTC')}) <= 30 AND orders_count <= 1, 'lifecycle:new',
          orders_count > 0 AND dateDiff('day', assumeNotNull(last_order_at), {now:DateTime64(3, 'UTC')}) > 180, 'lifecycle:churned',
          orders_count = 0 AND dateDiff('day', last_seen, {now:DateTime64(3, 'UTC')}) > 180, 'lifecycle:churned',
          orders_count > 0 AND dateDiff('day', assumeNotNull(last_order_at), {now:DateTime64(3, 'UTC')}) > 90, 'lifecycle:at_risk',
          orders_count >= 2, 'lifecycle:repeat_buyer',
          'lifecycle:active'),
        if(orders_count >= 3, 'loyal_fan', ''),
        if(sessions >= 10, 'super_user', ''),
        if(orders_count >= 2 AND discount_orders * 2 >= orders_count, 'discount_sensitive', ''),
        if(orders_count > 0 AND lifetime_revenue >= high_value_floor, 'high_value', ''),
        ${channel},
        if(first_touch_campaign != '', concat('campaign:', first_touch_campaign), ''),
        if(first_touch_content != '', concat('ad_set:', first_touch_content), ''),
        if(first_touch_ad_id != '' OR first_touch_term != '', concat('ad:', if(first_touch_ad_id != '', first_touch_ad_id, first_touch_term)), '')
      ]) AS tags
      FROM (
        SELECT t.*,
          if(orders_count > 0, least(5, 1 + toUInt8(floor(percent_rank() OVER (PARTITION BY orders_count > 0 ORDER BY last_order_at ASC) * 5))), 0) AS r,
          if(orders_count > 0, least(5, 1 + toUInt8(floor(percent_rank() OVER (PARTITION BY orders_count > 0 ORDER BY orders_count ASC) * 5))), 0) AS f,
          if(orders_count > 0, least(5, 1 + toUInt8(floor(percent_rank() OVER (PARTITION BY orders_count > 0 ORDER BY lifetime_revenue ASC) * 5))), 0) AS m,
          (SELECT quantileExact(0.9)(lifetime_revenue) FROM ${CURRENT_TRAITS_SQL} WHERE orders_count > 0) AS high_value_floor
        FROM ${CURRENT_TRAITS_SQL} AS t
      )
    ) ARRAY JOIN tags AS tag`;
}
