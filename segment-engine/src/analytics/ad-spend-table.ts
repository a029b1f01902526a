/**
 * Writes uploaded ad spend into `ad_spend` (schemas migration 0003) and reads totals back. An upload
 * replaces the rows of the (day, channel) pairs it covers, like `sextant demo --import` replaces the
 * days it covers; per channel as well, so a Facebook export and a Google export of the same week can be
 * uploaded one after the other without the second erasing the first. With a source id it replaces only
 * that source's rows (several storefronts, each with its own ad accounts); without one it is the spend of
 * those days and channels, whatever source an earlier import or upload used, so the same spend imported
 * under a source and then uploaded without one is not counted twice.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { LATEST_RATES_SQL } from './attribution-query.js';
import { round } from './kpi-windows.js';
import type { AdSpendCsvRow } from './ad-spend-csv.js';

export interface AdSpendUploadResult {
  rows: number;
  /** Distinct days the upload covered, sorted. */
  days: string[];
  /** Distinct channels the upload covered, sorted. */
  channels: string[];
  /** Spend per currency in the upload (currency units, not USD). */
  spendByCurrency: Record<string, number>;
  /** Rows of earlier uploads or imports the covered (day, channel) pairs replaced. */
  replaced: number;
}

export interface AdSpendTotalsRow { channel: string; currency: string; days: number; impressions: number; clicks: number; spend: number; spendUsd: number }
export interface AdSpendTotals { from: string; to: string; channels: AdSpendTotalsRow[]; totals: { impressions: number; clicks: number; spendUsd: number } }

let lastBatchMs = 0;

/**
 * Replaces the rows of the (day, channel) pairs `rows` cover with `rows`: those of source `sourceId`, or
 * of every source when `sourceId` is undefined (the rows are then stored under the empty source).
 */
export async function replaceAdSpend(client: ClickHouseClient, rows: readonly AdSpendCsvRow[], sourceId?: string): Promise<AdSpendUploadResult> {
  // Insert first, tagged with this batch's imported_at, then delete the older rows of the covered pairs:
  // a failed insert leaves the previous spend untouched instead of erasing it.
  lastBatchMs = Math.max(Date.now(), lastBatchMs + 1);
  const batchAt = new Date(lastBatchMs).toISOString().replace('T', ' ').replace('Z', '');
  const keys = [...new Set(rows.map((r) => `${r.date}|${r.channel}`))];
  const storedSource = sourceId ?? '';
  const params = { sourceId: storedSource, keys, batchAt };
  const covered = `${sourceId === undefined ? '' : 'source_id = {sourceId:String} AND '}concat(toString(date), '|', toString(channel)) IN {keys:Array(String)}`;
  const [before] = await (await client.query({ query: `SELECT count() AS n FROM ad_spend WHERE ${covered}`, query_params: params, format: 'JSONEachRow' })).json<{ n: string | number }>();
  await client.insert({ table: 'ad_spend', format: 'JSONEachRow', values: rows.map((r) => ({ source_id: storedSource, ...r, imported_at: batchAt })) });
  await client.command({ query: `DELETE FROM ad_spend WHERE ${covered} AND imported_at != toDateTime64({batchAt:String}, 3, 'UTC')`, query_params: params });
  const spendByCurrency: Record<string, number> = {};
  for (const r of rows) spendByCurrency[r.currency] = round((spendByCurrency[r.currency] ?? 0) + r.spend);
  return {
    rows: rows.length,
    days: [...new Set(rows.map((r) => r.date))].sort(),
    channels: [...new Set(rows.map((r) => r.channel))].sort(),
    spendByCurrency,
    replaced: Number(before?.n ?? 0),
  };
}

/** Spend, impressions and clicks per channel and currency over the days [from, to], with USD at the latest rate. */
export async function adSpendTotals(client: ClickHouseClient, from: string, to: string): Promise<AdSpendTotals> {
  const rs = await client.query({
    query: `SELECT toString(s.channel) AS channel, toString(s.currency) AS currency, uniqExact(s.date) AS days,
        sum(s.impressions) AS impressions, sum(s.clicks) AS clicks, sum(s.spend) AS spend,
        sum(s.spend / if(r.usd_rate > 0, r.usd_rate, 1)) AS spendUsd
      FROM ad_spend AS s LEFT ANY JOIN ${LATEST_RATES_SQL} AS r ON r.currency = s.currency
      WHERE s.date >= {from:Date} AND s.date <= {to:Date}
      GROUP BY channel, currency ORDER BY channel, currency`,
    query_params: { from, to },
    format: 'JSONEachRow',
  });
  const channels = (await rs.json<Record<string, string | number>>()).map((r) => ({
    channel: String(r.channel), currency: String(r.currency), days: Number(r.days),
    impressions: Number(r.impressions), clicks: Number(r.clicks), spend: round(Number(r.spend)), spendUsd: round(Number(r.spendUsd)),
  }));
  const sum = (k: 'impressions' | 'clicks' | 'spendUsd') => round(channels.reduce((a, r) => a + r[k], 0));
  return { from, to, channels, totals: { impressions: sum('impressions'), clicks: sum('clicks'), spendUsd: sum('spendUsd') } };
}
