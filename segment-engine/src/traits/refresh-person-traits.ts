import type { ClickHouseClient } from '@clickhouse/client';
import { currentVersionSql, personEventsSql } from '../sql/person-sql.js';
import { nextVersion, recordRun, dropOldVersions } from '../refresh/versions.js';

/** The event that counts as an order (Segment's e-commerce spec). */
export const ORDER_EVENT = 'Order Completed';

const TOUCH = `(utm_source != '' OR fbclid != '' OR gclid != '' OR ttclid != '' OR msclkid != '')`;
const CLICK_ID = `multiIf(fbclid != '', concat('fbclid:', fbclid), gclid != '', concat('gclid:', gclid), ttclid != '', concat('ttclid:', ttclid), msclkid != '', concat('msclkid:', msclkid), '')`;
const AD_ID = `coalesce(nullIf(extractURLParameter(page_url, 'ad_id'), ''), nullIf(extractURLParameter(page_url, 'utm_id'), ''), '')`;

/**
 * One `INSERT ... SELECT` computes every built-in trait of every person from `events` (through the
 * current identity map) into a new `person_traits` version:
 * first/last seen, sessions (distinct `context.sessionId`), orders, lifetime revenue and average order
 * value in USD (the latest `exchange_rates` row per currency; rate 1 when none), first/last order,
 * first-touch and last-touch campaign fields, click ids seen, favourite categories (top 3 viewed or
 * added), orders with a coupon, the latest email/phone, identify traits merged (latest per key) and the
 * country: the latest non-empty of identify traits `country` / `address.country` or the event's
 * `context.location.country` (in that order within one event; trimmed, two-letter codes upper-cased).
 */
export function personTraitsInsertSql(): string {
  const columns = [
    'timestamp', 'type', 'event', 'revenue', 'currency', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
    'fbclid', 'gclid', 'ttclid', 'msclkid', 'page_url', 'page_referrer', 'properties', 'traits', 'context',
  ];
  const traitsJson = `SELECT person_id, concat('{', arrayStringConcat(groupArray(concat(toJSONString(k), ':', v)), ','), '}') AS merged
      FROM (
        SELECT person_id, kv.1 AS k, argMax(kv.2, timestamp) AS v
        FROM (${personEventsSql(['timestamp', 'traits'], `traits != '{}' AND traits != ''`)})
        ARRAY JOIN JSONExtractKeysAndValuesRaw(traits) AS kv
        GROUP BY person_id, k
      ) GROUP BY person_id`;
  return `INSERT INTO person_traits
    SELECT {version:UInt64} AS version, a.person_id,
      first_seen, last_seen, events_count, sessions, orders_count, lifetime_revenue,
      if(orders_count > 0, lifetime_revenue / orders_count, 0) AS average_order_value,
      first_order_at, last_order_at, discount_orders,
      ft.1, ft.2, ft.3, ft.4, ft.5, ft.6, ft.7, first_referrer,
      lt.1, lt.2, lt.3,
      click_ids, favourite_categories, email, phone, if(t.merged = '', '{}', t.merged),
      country
    FROM (
      SELECT person_id,
        min(timestamp) AS first_seen,
        max(timestamp) AS last_seen,
        count() AS events_count,
        uniqExactIf(JSONExtractRaw(context, 'sessionId'), JSONExtractRaw(context, 'sessionId') NOT IN ('', 'null')) AS sessions,
        countIf(is_order) AS orders_count,
        sumIf(ifNull(revenue, 0) / if(r.rate > 0, r.rate, 1), is_order) AS lifetime_revenue,
        if(countIf(is_order) > 0, minIf(timestamp, is_order), NULL) AS first_order_at,
        if(countIf(is_order) > 0, maxIf(timestamp, is_order), NULL) AS last_order_at,
        countIf(is_order AND (JSONExtractString(properties, 'coupon') != '' OR JSONExtractFloat(properties, 'discount') > 0)) AS discount_orders,
        argMinIf((utm_source, utm_medium, utm_campaign, utm_content, utm_term, ${CLICK_ID}, ${AD_ID}), timestamp, ${TOUCH}) AS ft,
        argMaxIf((utm_source, utm_medium, utm_campaign), timestamp, ${TOUCH}) AS lt,
        argMin(page_referrer, timestamp) AS first_referrer,
        arrayFilter(x -> x != '', groupUniqArray(${CLICK_ID})) AS click_ids,
        topKIf(3)(viewed_category, viewed_category != '') AS favourite_categories,
        argMaxIf(lower(JSONExtractString(traits, 'email')), timestamp, JSONExtractString(traits, 'email') != '') AS email,
        argMaxIf(JSONExtractString(traits, 'phone'), timestamp, JSONExtractString(traits, 'phone') != '') AS phone,
        argMaxIf(if(length(country_seen) = 2, upper(country_seen), country_seen), timestamp, country_seen != '') AS country
      FROM (
        SELECT *, event = '${ORDER_EVENT}' AS is_order,
          -- if() parses properties only for views and adds (an -If aggregate's arguments are computed for every row)
          if(event IN ('Product Viewed', 'Product Added'), JSONExtractString(properties, 'category'), '') AS viewed_category,
          -- likewise: parse traits / context only when they can hold a country (context is the widest column)
          trimBoth(multiIf(
            position(traits, '"country"') > 0 AND JSONExtractString(traits, 'country') != '', JSONExtractString(traits, 'country'),
            position(traits, '"country"') > 0 AND JSONExtractString(traits, 'address', 'country') != '', JSONExtractString(traits, 'address', 'country'),
            position(context, '"location"') > 0, JSONExtractString(context, 'location', 'country'), '')) AS country_seen
        FROM (${personEventsSql(columns, '1')})
      ) AS ev
      LEFT ANY JOIN (SELECT currency, argMax(usd_rate, date) AS rate FROM exchange_rates GROUP BY currency) AS r ON r.currency = ev.currency
      GROUP BY person_id
    ) AS a
    LEFT ANY JOIN (${traitsJson}) AS t ON t.person_id = a.person_id`;
}

export async function refreshPersonTraits(client: ClickHouseClient): Promise<{ version: number; persons: number }> {
  const version = await nextVersion(client, 'traits');
  await client.command({ query: personTraitsInsertSql(), query_params: { version } });
  const rs = await client.query({ query: 'SELECT count() AS n FROM person_traits WHERE version = {version:UInt64}', query_params: { version }, format: 'JSONEachRow' });
  const persons = Number((await rs.json<{ n: string }>())[0]!.n);
  await recordRun(client, 'traits', version, { persons });
  await dropOldVersions(client, 'person_traits', 'traits');
  return { version, persons };
}

/** The current traits rows, for the other queries. */
export const CURRENT_TRAITS_SQL = `(SELECT * FROM person_traits WHERE version = ${currentVersionSql('traits')})`;
