import type { ClickHouseClient } from '@clickhouse/client';
import { MARKETING_KPI_NAMES, marketingKpiQuerySchema, type MarketingKpiName, type MarketingKpiQuery } from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { LATEST_RATES_SQL, RATES_ARRAYS_SQL } from './attribution-query.js';
import { change, ENDS_SQL, round, STARTS_SQL, windowParams, WINDOWS } from './kpi-windows.js';
import { ATTRIBUTION_LOOKBACK_DAYS, attributedOrdersSql } from './order-attribution-sql.js';

/** A marketing KPI; `value`/`previous` null where a ratio has no denominator (no impressions, clicks or spend). */
export interface MarketingKpiValue { value: number | null; previous: number | null; dod: number | null; mom: number | null; yoy: number | null }

export interface MarketingKpiRow {
  channel: string;
  /** '' when grouped by channel. */
  campaign: string;
  kpis: Record<MarketingKpiName, MarketingKpiValue>;
}

export interface MarketingKpis {
  date: string;
  period: 'day' | 'month';
  groupBy: 'channel' | 'campaign';
  /** How revenue is attributed (see `order-attribution-sql.ts`). */
  attribution: { model: 'last_non_direct'; lookbackDays: number };
  rows: MarketingKpiRow[];
  tookMs: number;
}

/**
 * Ad figures per window and channel (and campaign), spend in USD at the latest rate. `ad_spend.channel`
 * and `campaign` use the events' channel names and `utm_campaign`, so they meet the attributed orders.
 */
function adsSql(byCampaign: boolean): string {
  const day = (arr: string) => `toDate(${arr}[i])`;
  return `SELECT w, toString(s.channel) AS channel, ${byCampaign ? `if(s.campaign = '', '(none)', s.campaign)` : `''`} AS campaign,
      sum(s.impressions) AS impressions, sum(s.clicks) AS clicks, sum(s.spend / if(x.usd_rate > 0, x.usd_rate, 1)) AS spend
    FROM (SELECT channel, campaign, currency, impressions, clicks, spend, arrayJoin(arrayFilter(i -> date >= ${day(STARTS_SQL)} AND date < ${day(ENDS_SQL)}, [1, 2, 3, 4])) AS w
          FROM ad_spend WHERE date >= toDate(arrayMin(${STARTS_SQL})) AND date < toDate(arrayMax(${ENDS_SQL}))) AS s
    LEFT ANY JOIN ${LATEST_RATES_SQL} AS x ON x.currency = s.currency
    GROUP BY w, channel, campaign`;
}

/**
 * Marketing KPIs of `date` per channel or per channel and campaign, each with its DoD/MoM/YoY change
 * (the overview's windows): impressions, clicks, CTR = clicks / impressions, CPC = spend / clicks,
 * spend (USD), orders and revenue attributed by last non-direct touch (30-day lookback),
 * ROAS = revenue / spend, ROI = (revenue − spend) / spend. Two queries (ads, attributed orders) of a
 * few rows per window and group; rows: every group with ads or orders in any of the four windows,
 * `(none)` for orders without a touch.
 */
export async function marketingKpis(client: ClickHouseClient, input: Partial<MarketingKpiQuery> & { date: string }): Promise<MarketingKpis> {
  const started = performance.now();
  const parsed = marketingKpiQuerySchema.safeParse(input);
  if (!parsed.success) throw new DefinitionError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const q = parsed.data;
  const byCampaign = q.group_by === 'campaign';
  const params = windowParams(q);
  const run = async (sql: string) => (await client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<Record<string, string | number>>();
  const [ads, orders] = await Promise.all([run(adsSql(byCampaign)), run(`WITH ${RATES_ARRAYS_SQL} AS rates ${attributedOrdersSql(byCampaign)}`)]);

  // Sums per group and window (1..4): a handful of rows, merged here.
  type Sums = { impressions: number; clicks: number; spend: number; orders: number; revenue: number };
  const groups = new Map<string, { channel: string; campaign: string; w: Sums[] }>();
  const add = (r: Record<string, string | number>, fields: (keyof Sums)[]) => {
    const key = `${r.channel}\u0000${r.campaign}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { channel: String(r.channel), campaign: String(r.campaign), w: WINDOWS.map(() => ({ impressions: 0, clicks: 0, spend: 0, orders: 0, revenue: 0 })) }));
    const sums = g.w[Number(r.w) - 1]!;
    for (const f of fields) sums[f] += Number(r[f] ?? 0);
  };
  for (const r of ads) add(r, ['impressions', 'clicks', 'spend']);
  for (const r of orders) add(r, ['orders', 'revenue']);

  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const values = (s: Sums): Record<MarketingKpiName, number | null> => ({
    impressions: s.impressions, clicks: s.clicks, ctr: ratio(s.clicks, s.impressions), cpc: ratio(s.spend, s.clicks), spend: s.spend,
    orders: s.orders, revenue: s.revenue, roas: ratio(s.revenue, s.spend), roi: ratio(s.revenue - s.spend, s.spend),
  });
  const r6 = (x: number | null) => (x === null ? null : round(x));
  const rows = [...groups.values()]
    .sort((a, b) => a.channel.localeCompare(b.channel) || a.campaign.localeCompare(b.campaign))
    .map((g) => {
      const [cur, prev, mom, yoy] = g.w.map(values) as [Record<MarketingKpiName, number | null>, ...Record<MarketingKpiName, number | null>[]];
      const kpis = Object.fromEntries(MARKETING_KPI_NAMES.map((k) => [k, {
        value: r6(cur[k]), previous: r6(prev![k]), dod: change(cur[k], prev![k]), mom: change(cur[k], mom![k]), yoy: change(cur[k], yoy![k]),
      }])) as Record<MarketingKpiName, MarketingKpiValue>;
      return { channel: g.channel, campaign: g.campaign, kpis };
    });
  return {
    date: q.date, period: q.period, groupBy: q.group_by, attribution: { model: 'last_non_direct', lookbackDays: ATTRIBUTION_LOOKBACK_DAYS },
    rows, tookMs: Math.round(performance.now() - started),
  };
}
