import type { ClickHouseClient } from '@clickhouse/client';
import type { AttributionDefinition, AttributionDefinitionInput, AttributionModel } from '@sextant/schemas';
import { buildAttributionQuery, LATEST_RATES_SQL, RULE_MODELS } from './attribution-query.js';
import { removalEffectShares, type Transition } from './markov.js';
import { round } from './kpi-windows.js';

export interface ModelFigures { revenue: number; conversions: number; roas: number | null; cpa: number | null }

export interface AttributionRow {
  channel: string;
  /** '' when grouped by channel only. */
  campaign: string;
  /** Ad spend in USD over [from, to) from `ad_spend` (0 when none imported). */
  spend: number;
  models: Partial<Record<AttributionModel, ModelFigures>>;
}

export interface AttributionResult {
  rows: AttributionRow[];
  totals: { conversions: number; revenue: number; spend: number; withoutTouch: number };
  markov?: { transitions: Transition[]; shares: Record<string, number> };
  tookMs: number;
}

/** Every requested model side by side per channel (or campaign), with ROAS and CPA where spend is known. */
export async function runAttribution(client: ClickHouseClient, input: AttributionDefinitionInput | AttributionDefinition): Promise<AttributionResult> {
  const started = performance.now();
  const built = buildAttributionQuery(input);
  const def = built.definition;
  const wantMarkov = def.models.includes('markov');
  const [rows_, spendRows] = await Promise.all([
    query<{ kind: number; a: string; b: string; v: number[] }>(client, built.sql, built.params),
    query<{ channel: string; campaign: string; spend: number }>(client, adSpendSql(def.group_by), built.params),
  ]);
  const rulesRows = rows_.filter((r) => Number(r.kind) === 0).map((r) => {
    const out: Record<string, string | number> = { channel: r.a, campaign: r.b };
    RULE_MODELS.forEach((m, i) => {
      out[`rev_${m}`] = r.v[i] ?? 0;
      out[`conv_${m}`] = r.v[RULE_MODELS.length + i] ?? 0;
    });
    return out;
  });
  const transitions = rows_.filter((r) => Number(r.kind) === 1).map((r) => ({ from: r.a, to: r.b, count: String(r.v[0] ?? 0) }));
  const spendOf = new Map(spendRows.map((r) => [`${r.channel}\u0000${r.campaign}`, Number(r.spend)]));
  const rows = new Map<string, AttributionRow>();
  const rowOf = (channel: string, campaign: string) => {
    const key = `${channel}\u0000${campaign}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { channel, campaign, spend: spendOf.get(key) ?? 0, models: {} }));
    return row;
  };
  const figures = (row: AttributionRow, revenue: number, conversions: number): ModelFigures => ({
    revenue: round(revenue), conversions: round(conversions),
    roas: row.spend > 0 ? round(revenue / row.spend) : null,
    cpa: row.spend > 0 && conversions > 0 ? round(row.spend / conversions) : null,
  });
  let totalConversions = 0;
  let totalRevenue = 0;
  let withoutTouch = 0;
  let touchedConversions = 0;
  let touchedRevenue = 0;
  for (const r of rulesRows) {
    const row = rowOf(String(r.channel), String(r.campaign));
    totalConversions += Number(r.conv_first_touch);
    totalRevenue += Number(r.rev_first_touch);
    if (row.channel === '(none)') withoutTouch += Number(r.conv_first_touch);
    else {
      touchedConversions += Number(r.conv_first_touch);
      touchedRevenue += Number(r.rev_first_touch);
    }
    for (const m of def.models) {
      if (m === 'markov') continue;
      row.models[m] = figures(row, Number(r[`rev_${m}`]), Number(r[`conv_${m}`]));
    }
    if (wantMarkov && row.channel === '(none)') row.models.markov = figures(row, Number(r.rev_first_touch), Number(r.conv_first_touch));
  }
  let markov: AttributionResult['markov'];
  if (wantMarkov) {
    const t = transitions.map((x) => ({ from: x.from, to: x.to, count: Number(x.count) }));
    const shares = removalEffectShares(t);
    for (const [state, share] of shares) {
      const [channel, campaign] = def.group_by === 'campaign' ? splitState(state) : [state, ''];
      const row = rowOf(channel, campaign);
      row.models.markov = figures(row, share * touchedRevenue, share * touchedConversions);
    }
    markov = { transitions: t, shares: Object.fromEntries(shares) };
  }
  // Channels with spend but no attributed conversions still show (ROAS 0).
  for (const s of spendRows) rowOf(s.channel, s.campaign);
  for (const row of rows.values()) for (const m of def.models) row.models[m] ??= figures(row, 0, 0);
  const out = [...rows.values()].sort((a, b) => a.channel.localeCompare(b.channel) || a.campaign.localeCompare(b.campaign));
  return {
    rows: out,
    totals: { conversions: round(totalConversions), revenue: round(totalRevenue), spend: round(spendRows.reduce((a, r) => a + Number(r.spend), 0)), withoutTouch },
    ...(markov ? { markov } : {}),
    tookMs: Math.round(performance.now() - started),
  };
}

/** Ad spend in USD per channel (and campaign) over [from, to). */
function adSpendSql(groupBy: 'channel' | 'campaign'): string {
  return `SELECT toString(s.channel) AS channel, ${groupBy === 'campaign' ? `if(s.campaign = '', '(none)', s.campaign)` : `''`} AS campaign,
      sum(s.spend / if(r.usd_rate > 0, r.usd_rate, 1)) AS spend
    FROM ad_spend AS s LEFT ANY JOIN ${LATEST_RATES_SQL} AS r ON r.currency = s.currency
    WHERE s.date >= toDate({from:DateTime64(3, 'UTC')}) AND s.date < toDate({to:DateTime64(3, 'UTC')})
    GROUP BY channel, campaign`;
}

function splitState(state: string): [string, string] {
  const i = state.indexOf(' / ');
  return i < 0 ? [state, ''] : [state.slice(0, i), state.slice(i + 3)];
}

async function query<T>(client: ClickHouseClient, sql: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

