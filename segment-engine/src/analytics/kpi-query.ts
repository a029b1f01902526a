import type { ClickHouseClient } from '@clickhouse/client';
import { kpiQuerySchema, type KpiName, type KpiQuery } from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { currentVersionSql, personEventsSql } from '../sql/person-sql.js';
import { CURRENT_TRAITS_SQL } from '../traits/refresh-person-traits.js';
import { LATEST_RATES_SQL, RATES_ARRAYS_SQL } from './attribution-query.js';
import { NOT_SUPPRESSED_SQL } from './person-key-sql.js';

/** The four windows every KPI is computed over: the period, the one before (DoD), 30 days before (MoM), 365 (YoY). */
const WINDOWS = ['current', 'previous', 'mom', 'yoy'] as const;
const DAY = 86_400_000;

export interface KpiValue { value: number; previous: number; dod: number | null; mom: number | null; yoy: number | null }
export interface KpiOverview {
  date: string;
  period: 'day' | 'month';
  kpis: Record<KpiName, KpiValue>;
  /** Sessions, visitors, new and returning visitors per source channel, current period. */
  byChannel: { channel: string; sessions: number; visitors: number; newVisitors: number; returningVisitors: number }[];
  tookMs: number;
}

/** Window bounds as bound parameters `w{i}s` / `w{i}e` (i = 1..4). */
function windowParams(q: KpiQuery): Record<string, string> {
  const end = Date.parse(`${q.date}T00:00:00Z`) + DAY;
  const len = q.period === 'day' ? DAY : 30 * DAY;
  const shifts = [0, len, 30 * DAY, 365 * DAY];
  const out: Record<string, string> = {};
  shifts.forEach((s, i) => {
    out[`w${i + 1}s`] = new Date(end - len - s).toISOString().slice(0, 19).replace('T', ' ');
    out[`w${i + 1}e`] = new Date(end - s).toISOString().slice(0, 19).replace('T', ' ');
  });
  return out;
}
const starts = `[${WINDOWS.map((_, i) => `toDateTime64({w${i + 1}s:String}, 3, 'UTC')`).join(', ')}]`;
const ends = `[${WINDOWS.map((_, i) => `toDateTime64({w${i + 1}e:String}, 3, 'UTC')`).join(', ')}]`;
const inAny = WINDOWS.map((_, i) => `(timestamp >= toDateTime64({w${i + 1}s:String}, 3, 'UTC') AND timestamp < toDateTime64({w${i + 1}e:String}, 3, 'UTC'))`).join(' OR ');

/** Current computed traits: only the columns the KPIs read. */
const TRAITS_SQL = `(SELECT person_id, first_seen, first_order_at FROM person_traits WHERE version = ${currentVersionSql('traits')})`;
const USD = `ifNull(revenue, 0) / if(transform(toString(currency), rates.1, rates.2, 0.) > 0, transform(toString(currency), rates.1, rates.2, 0.), 1)`;
const WINDOW_OF_ROW = `arrayJoin(arrayFilter(i -> timestamp >= ${starts}[i] AND timestamp < ${ends}[i], [1, 2, 3, 4]))`;

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

type Row = Record<string, string | number>;

export async function kpiOverview(client: ClickHouseClient, input: Partial<KpiQuery> & { date: string }): Promise<KpiOverview> {
  const started = performance.now();
  const parsed = kpiQuerySchema.safeParse(input);
  if (!parsed.success) throw new DefinitionError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const q = parsed.data;
  const params = { ...windowParams(q), channel: q.channel ?? '' };
  const run = async (sql: string) => (await (await client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<Row>());
  const [evRows, props, ads, channels] = await Promise.all([run(KPI_EVENTS_SQL), run(KPI_PROPERTIES_SQL), run(KPI_ADS_SQL), run(KPI_CHANNELS_SQL)]);
  const ev = evRows.map((r) => ({ ...r, ...(props.find((p) => Number(p.w) === Number(r.w)) ?? {}) }));
  const perWindow = WINDOWS.map((_, i) => {
    const e = ev.find((r) => Number(r.w) === i + 1) ?? {};
    const a = ads.find((r) => Number(r.w) === i + 1) ?? {};
    const n = (r: Row, k: string) => Number(r[k] ?? 0);
    const visitors = n(e, 'visitors');
    const orders = n(e, 'orders');
    const revenue = n(e, 'revenue');
    const spend = n(a, 'spend');
    const values: Record<KpiName, number> = {
      sessions: n(e, 'sessions'), visitors, new_visitors: n(e, 'new_visitors'), returning_visitors: visitors - n(e, 'new_visitors'),
      orders, revenue, conversion_rate: div(n(e, 'buyers'), visitors), average_order_value: div(revenue, orders),
      cart_abandonment_rate: n(e, 'carters') > 0 ? 1 - n(e, 'carters_bought') / n(e, 'carters') : 0,
      repurchase_rate: div(n(e, 'repeat_buyers'), n(e, 'buyers')), signups: n(e, 'signups'), reviews: n(e, 'reviews'),
      average_rating: div(n(e, 'rating_sum'), n(e, 'reviews')), affiliate_revenue: n(e, 'affiliate_revenue'),
      impressions: n(a, 'impressions'), clicks: n(a, 'clicks'), spend, ctr: div(n(a, 'clicks'), n(a, 'impressions')),
      cpc: div(spend, n(a, 'clicks')), roas: div(revenue, spend),
    };
    return values;
  });
  const [cur, prev, mom, yoy] = perWindow as [Record<KpiName, number>, Record<KpiName, number>, Record<KpiName, number>, Record<KpiName, number>];
  const kpis = Object.fromEntries((Object.keys(cur) as KpiName[]).map((k) => [k, {
    value: round(cur[k]), previous: round(prev[k]), dod: change(cur[k], prev[k]), mom: change(cur[k], mom[k]), yoy: change(cur[k], yoy[k]),
  }])) as Record<KpiName, KpiValue>;
  const byChannel = channels.map((r) => ({ channel: String(r.channel), sessions: Number(r.sessions), visitors: Number(r.visitors), newVisitors: Number(r.new_visitors), returningVisitors: Number(r.visitors) - Number(r.new_visitors) }));
  return { date: q.date, period: q.period, kpis, byChannel, tookMs: Math.round(performance.now() - started) };
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

function div(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
function change(cur: number, base: number): number | null {
  return base !== 0 ? round((cur - base) / Math.abs(base)) : null;
}
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
