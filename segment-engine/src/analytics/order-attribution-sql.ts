import { personsWithEventsSql } from '../sql/person-sql.js';
import { CHANNEL_NAMES, channelCodeSql, channelNameSql } from './channel-sql.js';
import { inAnyWindowSql, STARTS_SQL, ENDS_SQL } from './kpi-windows.js';
import { personRowsSql } from './person-key-sql.js';

/**
 * Attributed revenue of the KPIs (marketing KPIs per channel/campaign, the overview's channel filter):
 * each `Order Completed` goes, whole, to the channel (and `utm_campaign`) of the person's latest
 * non-direct touch in [order − 30 days, order]; with only direct touches there, to `direct`; with no
 * touch at all, to `(none)`. A touch is a page view that starts a session or carries campaign data, or a
 * `Session Started` event: the attribution API's `last_non_direct` model with its default settings, so
 * the figures agree with it. Revenue in USD at the latest rate (needs `rates` from `RATES_ARRAYS_SQL`).
 */
export const ATTRIBUTION_LOOKBACK_DAYS = 30;

/** Order revenue in USD at the latest rate of its currency (no rate: taken as USD). */
export const USD_OF_ROW_SQL = `ifNull(revenue, 0) / if(transform(toString(currency), rates.1, rates.2, 0.) > 0, transform(toString(currency), rates.1, rates.2, 0.), 1)`;

const TOUCH_SQL = `((event = '' AND type = 'page' AND (session_start OR campaign_tagged)) OR (type = 'track' AND event = 'Session Started'))`;
const ORDER_IN_WINDOWS_SQL = `event = 'Order Completed' AND (${inAnyWindowSql()})`;
const DIRECT_CODE = CHANNEL_NAMES.indexOf('direct') + 1;
const LOOKBACK_MS = ATTRIBUTION_LOOKBACK_DAYS * 86_400_000;

/**
 * `SELECT w, channel, campaign, orders, revenue`: attributed orders of the four KPI windows (bind
 * `windowParams`), per window and channel (`campaign` '' unless `byCampaign`; '(none)' when the touch
 * has none). One scan of the windows' orders and of the touches up to 30 days before them; only buyers'
 * touches are gathered per person, and per order the touch is found with `arrayLast` over the
 * person's sorted touches (no join per order).
 */
export function attributedOrdersSql(byCampaign: boolean): string {
  // By channel a touch packs into one UInt64 (time · 16 + channel code): its sort order is (time, channel),
  // as the attribution query's, and far cheaper to gather than tuples. By campaign: (time, code, campaign).
  const t = byCampaign
    ? { agg: `arraySort(groupArrayIf((ts, ch, camp), is_order = 0))`, ts: (x: string) => `${x}.1`, ch: (x: string) => `${x}.2`, camp: (x: string) => `${x}.3` }
    : { agg: `arraySort(groupArrayIf(ts * 16 + ch, is_order = 0))`, ts: (x: string) => `intDiv(${x}, 16)`, ch: (x: string) => `(${x} % 16)`, camp: () => `''` };
  const inLookback = (x: string) => `${t.ts(x)} <= o.1 AND ${t.ts(x)} + ${LOOKBACK_MS} >= o.1`;
  const rows = personRowsSql(
    `toUInt64(toUnixTimestamp64Milli(timestamp)) AS ts, toUInt8(event = 'Order Completed') AS is_order, toUInt8(${channelCodeSql()}) AS ch,
      ${byCampaign ? 'toString(utm_campaign)' : `''`} AS camp, if(event = 'Order Completed', ${USD_OF_ROW_SQL}, 0.) AS usd`,
    ['ts', 'is_order', 'ch', 'camp', 'usd'],
    `(${ORDER_IN_WINDOWS_SQL}) OR (${TOUCH_SQL} AND (${inAnyWindowSql('timestamp', ATTRIBUTION_LOOKBACK_DAYS)}))`,
  );
  const windowMs = (arr: string) => `toUnixTimestamp64Milli(${arr}[i])`;
  // arrayLast returns the element type's default (time 0) when nothing matches.
  return `SELECT w, if(${t.ts('a')} = 0, '(none)', ${channelNameSql(t.ch('a'))}) AS channel,
      ${byCampaign ? `if(${t.ts('a')} = 0 OR ${t.camp('a')} = '', '(none)', ${t.camp('a')})` : `''`} AS campaign,
      count() AS orders, sum(usd) AS revenue
    FROM (
      SELECT o.1 AS ts, o.2 AS usd,
        arrayLast(x -> ${inLookback('x')} AND ${t.ch('x')} != ${DIRECT_CODE}, touches) AS nd,
        if(${t.ts('nd')} > 0, nd, arrayLast(x -> ${inLookback('x')}, touches)) AS a
      FROM (
        SELECT person_id, ${t.agg} AS touches, groupArrayIf((ts, usd), is_order = 1) AS orders
        FROM (${rows})
        WHERE is_order = 1 OR person_id IN (SELECT person_id FROM (${personsWithEventsSql(ORDER_IN_WINDOWS_SQL)}))
        GROUP BY person_id
        HAVING notEmpty(orders)
      ) ARRAY JOIN orders AS o
    )
    ARRAY JOIN arrayFilter(i -> ts >= ${windowMs(STARTS_SQL)} AND ts < ${windowMs(ENDS_SQL)}, [1, 2, 3, 4]) AS w
    GROUP BY w, channel, campaign`;
}
