import type { ClickHouseClient } from '@clickhouse/client';
import { CHANNEL_KPI_NAMES, kpiQuerySchema, type ChannelKpiName, type KpiName, type KpiQuery } from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { currentVersionSql, personEventsSql } from '../sql/person-sql.js';
import { CURRENT_TRAITS_SQL } from '../traits/refresh-person-traits.js';
import { LATEST_RATES_SQL, RATES_ARRAYS_SQL } from './attribution-query.js';
import { change, div, ENDS_SQL, inAnyWindowSql, round, STARTS_SQL, windowOfSql, windowParams, WINDOWS } from './kpi-windows.js';
import { attributedOrdersSql, USD_OF_ROW_SQL } from './order-attribution-sql.js';
import { NOT_SUPPRESSED_SQL } from './person-key-sql.js';

export interface KpiValue { value: number; previous: number; dod: number | null; mom: number | null; yoy: number | null }
export interface KpiOverview {
  date: string;
  period: 'day' | 'month';
  /** The channel filter (null: the whole store). */
  channel: string | null;
  kpis: Record<KpiName, KpiValue>;
  /** Sessions, visitors, new and returning visitors per source channel, current period (only the filtered channel's row under a filter). */
  byChannel: { channel: string; sessions: number; visitors: number; newVisitors: number; returningVisitors: number }[];
  tookMs: number;
}
/** The overview of one channel: only the KPIs a channel filter applies to (`CHANNEL_KPI_NAMES`). */
export interface ChannelKpiOverview extends Omit<KpiOverview, 'kpis' | 'channel'> {
  channel: string;
  kpis: Record<ChannelKpiName, KpiValue>;
  /** The KPIs left out because a channel filter has no meaning for them. */
  notFiltered: KpiName[];
}

const starts = STARTS_SQL;
const ends = ENDS_SQL;
const inAny = inAnyWindowSql();
const WINDOW_OF_ROW = windowOfSql();
const USD = USD_OF_ROW_SQL;
/** Days after an order a `Product Reviewed` of the same person counts as its review (review share). */
export const REVIEW_FOLLOW_UP_DAYS = 30;

/** Current computed traits: only the columns the KPIs read. */
const TRAITS_SQL = `(SELECT person_id, first_seen, first_order_at FROM person_traits WHERE version = ${currentVersionSql('traits')})`;

/**
 * Journey KPIs of the storefront events, per window: one pass over the events of the four windows
 * (a row counts in every window it falls in), first per person, then per window. New visitor = first
 * seen (current `person_traits`) inside the window; repurchase = a buyer of the window who had ordered
 * before it or ordered twice in it. Revenue in USD at the latest rate. Persons come from the hashed
 * keys and sessions from the materialized `session_start` (migration 0031); the traits are joined to
 * the window's persons (the smaller side is the hash table).
 */
export const KPI_EVENTS_SQL = `WITH ${RATES_ARRAYS_SQL} AS rates
  SELECT w, count() AS visitors, sum(s) AS sessions, countIf(t.first_seen >= ${starts}[w]) AS new_visitors,
    sum(o) AS orders, sum(r) AS revenue, countIf(o > 0) AS buyers, countIf(a > 0) AS carters, countIf(a > 0 AND o > 0) AS carters_bought,
    countIf(o > 0 AND (o >= 2 OR t.first_order_at < ${starts}[w])) AS repeat_buyers, sum(su) AS signups
  FROM ${TRAITS_SQL} AS t
  RIGHT JOIN (
    SELECT w, person_id, countIf(session_start) AS s, countIf(event = 'Order Completed') AS o, sumIf(usd, event = 'Order Completed') AS r,
      countIf(event = 'Product Added') AS a, countIf(event IN ('Signed Up', 'Membership Started')) AS su
    FROM (SELECT person_id, ${WINDOW_OF_ROW} AS w, event, session_start, ${USD} AS usd
      FROM (${personEventsSql(['timestamp', 'event', 'session_start', 'revenue', 'currency'], inAny)}))
    GROUP BY w, person_id
  ) AS pw ON t.person_id = pw.person_id
  GROUP BY w`;

/** Reviews, ratings and affiliate revenue per window: sums over two events only, no person needed. */
export const KPI_PROPERTIES_SQL = `WITH ${RATES_ARRAYS_SQL} AS rates
  SELECT ${WINDOW_OF_ROW} AS w, countIf(event = 'Product Reviewed') AS reviews,
    sumIf(JSONExtractFloat(properties, 'rating'), event = 'Product Reviewed') AS rating_sum,
    sumIf(${USD}, event = 'Order Completed' AND JSONExtractString(properties, 'affiliate_id') != '') AS affiliate_revenue
  FROM events WHERE event IN ('Product Reviewed', 'Order Completed') AND (${inAny}) AND ${NOT_SUPPRESSED_SQL}
  GROUP BY w`;

export const KPI_ADS_SQL = `SELECT w, sum(impressions) AS impressions, sum(clicks) AS clicks, sum(s.spend / if(x.usd_rate > 0, x.usd_rate, 1)) AS spend
  FROM (SELECT *, arrayJoin(arrayFilter(i -> toDateTime64(date, 3, 'UTC') >= ${starts}[i] AND toDateTime64(date, 3, 'UTC') < ${ends}[i], [1, 2, 3, 4])) AS w FROM ad_spend
        WHERE {channel:String} = '' OR channel = {channel:String}) AS s
  LEFT ANY JOIN ${LATEST_RATES_SQL} AS x ON x.currency = s.currency
  GROUP BY w`;

export const KPI_CHANNELS_SQL = `SELECT ch AS channel, sum(s) AS sessions, count() AS visitors, countIf(t.first_seen >= toDateTime64({w1s:String}, 3, 'UTC')) AS new_visitors
  FROM ${TRAITS_SQL} AS t
  RIGHT JOIN (SELECT person_id, toString(channel) AS ch, count() AS s
    FROM (${personEventsSql(['channel'], `event = '' AND session_start AND timestamp >= toDateTime64({w1s:String}, 3, 'UTC') AND timestamp < toDateTime64({w1e:String}, 3, 'UTC')`)})
    GROUP BY person_id, ch) AS pc ON t.person_id = pc.person_id
  GROUP BY channel ORDER BY sessions DESC, channel`;

/**
 * Sessions and visitors of one channel (`{channel:String}`) per window: by the landing channel of the
 * session-starting page view (as `byChannel`); a visitor is a person with such a session in the window.
 */
export const KPI_CHANNEL_EVENTS_SQL = `SELECT w, count() AS visitors, sum(s) AS sessions, countIf(t.first_seen >= ${starts}[w]) AS new_visitors
  FROM ${TRAITS_SQL} AS t
  RIGHT JOIN (
    SELECT w, person_id, count() AS s
    FROM (SELECT person_id, ${WINDOW_OF_ROW} AS w
      FROM (${personEventsSql(['timestamp'], `event = '' AND session_start AND channel = {channel:String} AND (${inAny})`)}))
    GROUP BY w, person_id
  ) AS pw ON t.person_id = pw.person_id
  GROUP BY w`;

/** Orders and revenue of one channel per window, by the order's attributed channel (`order-attribution-sql.ts`). */
export const KPI_CHANNEL_ORDERS_SQL = `WITH ${RATES_ARRAYS_SQL} AS rates
  SELECT w, sum(orders) AS orders, sum(revenue) AS revenue FROM (${attributedOrdersSql(false)}) WHERE channel = {channel:String} GROUP BY w`;

/**
 * Review share per window: of the window's orders, those after which the same person sent a
 * `Product Reviewed` within 30 days (any product: reviews rarely name the order). Reviews are read up
 * to 30 days past each window, so a recent period's share still grows as reviews come in.
 */
export const KPI_REVIEW_SHARE_SQL = `SELECT w, count() AS review_orders, countIf(reviewed) AS reviewed_orders
  FROM (
    SELECT o AS ts, arrayExists(r -> r >= o AND r <= o + toIntervalDay(${REVIEW_FOLLOW_UP_DAYS}), reviews) AS reviewed
    FROM (
      SELECT person_id, groupArrayIf(timestamp, event = 'Order Completed') AS orders, groupArrayIf(timestamp, event = 'Product Reviewed') AS reviews
      FROM (${personEventsSql(['timestamp', 'event'], `(event = 'Order Completed' AND (${inAny})) OR (event = 'Product Reviewed' AND (${inAnyWindowSql('timestamp', 0, REVIEW_FOLLOW_UP_DAYS)}))`)})
      GROUP BY person_id
      HAVING notEmpty(orders)
    ) ARRAY JOIN orders AS o
  )
  ARRAY JOIN arrayFilter(i -> ts >= ${starts}[i] AND ts < ${ends}[i], [1, 2, 3, 4]) AS w
  GROUP BY w`;

type Row = Record<string, string | number>;
type KpiInput = Partial<KpiQuery> & { date: string };
const channelKpis: readonly KpiName[] = CHANNEL_KPI_NAMES;

/**
 * The KPI overview of `date`, each KPI with its DoD/MoM/YoY change. With a `channel`, only the KPIs that
 * filter has one meaning for (`CHANNEL_KPI_NAMES`), all of that channel: sessions/visitors by landing
 * channel, orders/revenue/AOV by attributed channel, ad figures by the ad's channel, ROAS = the
 * channel's attributed revenue / its spend; the rest are listed in `notFiltered`.
 */
export async function kpiOverview(client: ClickHouseClient, input: KpiInput & { channel?: undefined }): Promise<KpiOverview>;
export async function kpiOverview(client: ClickHouseClient, input: KpiInput): Promise<KpiOverview | ChannelKpiOverview>;
export async function kpiOverview(client: ClickHouseClient, input: KpiInput): Promise<KpiOverview | ChannelKpiOverview> {
  const started = performance.now();
  const parsed = kpiQuerySchema.safeParse(input);
  if (!parsed.success) throw new DefinitionError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const q = parsed.data;
  const channel = q.channel ? q.channel : null;
  const params = { ...windowParams(q), channel: channel ?? '' };
  const run = async (sql: string) => (await (await client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<Row>());
  const byWindow = (rows: Row[], i: number) => rows.find((r) => Number(r.w) === i + 1) ?? {};
  const n = (r: Row, k: string) => Number(r[k] ?? 0);
  const none = async (): Promise<Row[]> => [];
  // Under a filter, orders and revenue are the attributed ones (never the whole store's against one channel's spend).
  const [evRows, channelOrders, props, reviewRows, ads, channels] = await Promise.all([
    run(channel ? KPI_CHANNEL_EVENTS_SQL : KPI_EVENTS_SQL), channel ? run(KPI_CHANNEL_ORDERS_SQL) : none(),
    channel ? none() : run(KPI_PROPERTIES_SQL), channel ? none() : run(KPI_REVIEW_SHARE_SQL), run(KPI_ADS_SQL), run(KPI_CHANNELS_SQL),
  ]);
  const orderRows = channel ? channelOrders : evRows;
  const perWindow = WINDOWS.map((_, i) => {
    const e = { ...byWindow(evRows, i), ...byWindow(props, i), ...byWindow(reviewRows, i) };
    const o = byWindow(orderRows, i);
    const a = byWindow(ads, i);
    const visitors = n(e, 'visitors');
    const orders = n(o, 'orders');
    const revenue = n(o, 'revenue');
    const spend = n(a, 'spend');
    const values: Record<KpiName, number> = {
      sessions: n(e, 'sessions'), visitors, new_visitors: n(e, 'new_visitors'), returning_visitors: visitors - n(e, 'new_visitors'),
      orders, revenue, conversion_rate: div(n(e, 'buyers'), visitors), average_order_value: div(revenue, orders),
      cart_abandonment_rate: n(e, 'carters') > 0 ? 1 - n(e, 'carters_bought') / n(e, 'carters') : 0,
      repurchase_rate: div(n(e, 'repeat_buyers'), n(e, 'buyers')), signups: n(e, 'signups'), reviews: n(e, 'reviews'),
      average_rating: div(n(e, 'rating_sum'), n(e, 'reviews')), affiliate_revenue: n(e, 'affiliate_revenue'),
      impressions: n(a, 'impressions'), clicks: n(a, 'clicks'), spend, ctr: div(n(a, 'clicks'), n(a, 'impressions')),
      cpc: div(spend, n(a, 'clicks')), roas: div(revenue, spend), review_share: div(n(e, 'reviewed_orders'), n(e, 'review_orders')),
    };
    return values;
  });
  const [cur, prev, mom, yoy] = perWindow as [Record<KpiName, number>, Record<KpiName, number>, Record<KpiName, number>, Record<KpiName, number>];
  const names = (Object.keys(cur) as KpiName[]).filter((k) => !channel || channelKpis.includes(k));
  const kpis = Object.fromEntries(names.map((k) => [k, {
    value: round(cur[k]), previous: round(prev[k]), dod: change(cur[k], prev[k]), mom: change(cur[k], mom[k]), yoy: change(cur[k], yoy[k]),
  }]));
  const byChannel = channels.filter((r) => !channel || String(r.channel) === channel)
    .map((r) => ({ channel: String(r.channel), sessions: Number(r.sessions), visitors: Number(r.visitors), newVisitors: Number(r.new_visitors), returningVisitors: Number(r.visitors) - Number(r.new_visitors) }));
  const base = { date: q.date, period: q.period, byChannel, tookMs: Math.round(performance.now() - started) };
  if (!channel) return { ...base, channel: null, kpis: kpis as Record<KpiName, KpiValue> };
  return { ...base, channel, kpis: kpis as Record<ChannelKpiName, KpiValue>, notFiltered: (Object.keys(cur) as KpiName[]).filter((k) => !channelKpis.includes(k)) };
}

/** P(another order | k past orders) for k = 1..maxOrders, from the current computed traits. */
export async function nextPurchaseProbability(client: ClickHouseClient, maxOrders = 5): Promise<{ pastOrders: number; customers: number; probability: number }[]> {
  const rs = await client.query({
    query: `SELECT k, countIf(orders_count >= k) AS customers, countIf(orders_count >= k + 1) AS repeaters
      FROM ${CURRENT_TRAITS_SQL} ARRAY JOIN range(1, {max:UInt8} + 1) AS k WHERE orders_count >= 1 GROUP BY k ORDER BY k`,
    query_params: { max: maxOrders },
    format: 'JSONEachRow',
  });
  return (await rs.json<Row>()).map((r) => ({ pastOrders: Number(r.k), customers: Number(r.customers), probability: div(Number(r.repeaters), Number(r.customers)) }));
}

/** Monthly retention: persons by month first seen, share active (any event) k months later. */
export async function retentionCohorts(client: ClickHouseClient, from: string, months = 6): Promise<{ cohort: string; size: number; retained: number[] }[]> {
  const rs = await client.query({
    query: `SELECT toString(cohort_month) AS cohort, dateDiff('month', cohort_month, toStartOfMonth(timestamp)) AS k, uniqExact(person_id) AS active
      FROM (SELECT e.person_id AS person_id, e.timestamp AS timestamp, toStartOfMonth(t.first_seen) AS cohort_month
            FROM (${personEventsSql(['timestamp'], `timestamp >= toDateTime64({from:String}, 3, 'UTC')`)}) AS e
            INNER JOIN ${CURRENT_TRAITS_SQL} AS t ON t.person_id = e.person_id
            WHERE t.first_seen >= toDateTime64({from:String}, 3, 'UTC'))
      WHERE k < {months:UInt8}
      GROUP BY cohort_month, k ORDER BY cohort_month, k`,
    query_params: { from: `${from.slice(0, 10)} 00:00:00`, months },
    format: 'JSONEachRow',
  });
  const cohorts = new Map<string, number[]>();
  for (const r of await rs.json<{ cohort: string; k: number; active: string }>()) {
    const a = cohorts.get(r.cohort) ?? new Array<number>(months).fill(0);
    a[Number(r.k)] = Number(r.active);
    cohorts.set(r.cohort, a);
  }
  // Month 0 holds every member of the cohort (first seen that month).
  return [...cohorts].map(([cohort, a]) => ({ cohort, size: a[0]!, retained: a.map((x) => div(x, a[0]!)) }));
}
