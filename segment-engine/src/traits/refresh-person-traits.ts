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
 * first-touch and last-touch campaign fields, click ids seen, favourite categories (the 3 most viewed
 * or added), orders with a coupon, the latest email/phone, identify traits merged (latest per key) and the
 * country: the latest non-empty of identify traits `country` / `address.country` or the event's
 * `context.location.country` (in that order within one event; trimmed, two-letter codes upper-cased).
 */
export function personTraitsInsertSql(): string {
  // Each event reduced to what the traits need in the scan, JSON parsed there once (only for the rows
  // that can hold the value: an -If aggregate computes its arguments for every row); no JSON text
  // goes through the join to the identity map.
  const columns = [
    'timestamp', 'revenue', 'currency', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
    'fbclid', 'gclid', 'ttclid', 'msclkid', 'page_url', 'page_referrer',
    `event = '${ORDER_EVENT}' AS is_order`,
    `JSONExtractRaw(context, 'sessionId') AS session_raw`,
    `if(is_order, JSONExtractString(properties, 'coupon') != '' OR JSONExtractFloat(properties, 'discount') > 0, 0) AS coupon_order`,
    `if(event IN ('Product Viewed', 'Product Added'), JSONExtractString(properties, 'category'), '') AS viewed_category`,
    `if(traits IN ('', '{}'), '', lower(JSONExtractString(traits, 'email'))) AS email_seen`,
    `if(traits IN ('', '{}'), '', JSONExtractString(traits, 'phone')) AS phone_seen`,
    // context is the widest column: parsed for a country only when it holds a location
    `trimBoth(multiIf(
      position(traits, '"country"') > 0 AND JSONExtractString(traits, 'country') != '', JSONExtractString(traits, 'country'),
      position(traits, '"country"') > 0 AND JSONExtractString(traits, 'address', 'country') != '', JSONExtractString(traits, 'address', 'country'),
      position(context, '"location"') > 0, JSONExtractString(context, 'location', 'country'), '')) AS country_seen`,
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
        uniqExactIf(session_raw, session_raw NOT IN ('', 'null')) AS sessions,
        countIf(is_order) AS orders_count,
        sumIf(ifNull(revenue, 0) / if(r.rate > 0, r.rate, 1), is_order) AS lifetime_revenue,
        if(countIf(is_order) > 0, minIf(timestamp, is_order), NULL) AS first_order_at,
        if(countIf(is_order) > 0, maxIf(timestamp, is_order), NULL) AS last_order_at,
        countIf(coupon_order) AS discount_orders,
        argMinIf((utm_source, utm_medium, utm_campaign, utm_content, utm_term, ${CLICK_ID}, ${AD_ID}), timestamp, ${TOUCH}) AS ft,
        argMaxIf((utm_source, utm_medium, utm_campaign), timestamp, ${TOUCH}) AS lt,
        argMin(page_referrer, timestamp) AS first_referrer,
        arrayFilter(x -> x != '', groupUniqArray(${CLICK_ID})) AS click_ids,
        -- the 3 most viewed or added, exact (ties by name): cheaper than topK's per-person hash tables
        arraySlice(arrayMap(x -> x.2, arraySort(x -> (-x.1, x.2),
          arrayMap(c -> (countEqual(categories, c), c), arrayDistinct(groupArrayIf(viewed_category, viewed_category != '') AS categories)))), 1, 3) AS favourite_categories,
        argMaxIf(email_seen, timestamp, email_seen != '') AS email,
        argMaxIf(phone_seen, timestamp, phone_seen != '') AS phone,
        argMaxIf(if(length(country_seen) = 2, upper(country_seen), country_seen), timestamp, country_seen != '') AS country
      FROM (${personEventsSql(columns, '1')}) AS ev
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
