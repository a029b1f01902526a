import type { ClickHouseClient } from '@clickhouse/client';
import type { FunnelDefinition, FunnelDefinitionInput } from '@sextant/schemas';
import { buildFunnelQuery, funnelDropOffSql, funnelStepsSql, funnelTrendSql, type FunnelQueryOptions } from './funnel-query.js';
import { currentPersonTimeline } from './refresh-person-timeline.js';

export interface FunnelStepResult {
  step: number;
  event: string;
  label: string;
  /** Persons who reached this step (in progress ones included). */
  count: number;
  /** count / count of step 1, and / count of the previous step (0..1). */
  conversionFromStart: number;
  conversionFromPrevious: number;
  /** Stopped at this step and their window has closed. */
  droppedOff: number;
  /** Stopped at this step but still inside their window at `asOf`: not drop-offs. */
  inProgress: number;
  /** Seconds from the previous step to this one (within the window); null for step 1 or nobody. */
  medianSecondsFromPrevious: number | null;
  p90SecondsFromPrevious: number | null;
}

export interface FunnelGroupResult {
  value: string;
  entered: number;
  converted: number;
  /** converted / entered. */
  conversionRate: number;
  /** converted / (entered − in progress): the rate among persons whose outcome is known. */
  settledConversionRate: number;
  steps: FunnelStepResult[];
}

export interface FunnelResult {
  total: FunnelGroupResult;
  /** One row per breakdown value ('(none)' for persons without one); their counts add up to `total`. */
  breakdown: FunnelGroupResult[];
  trend: { period: string; entered: number; converted: number; inProgress: number; conversionRate: number }[];
  /** Where the events came from: the person event timeline plus newer events, or `events` alone. */
  source: 'timeline' | 'events';
  tookMs: number;
}

type Row = Record<string, unknown>;

/**
 * Funnel queries run with ClickHouse's query analyzer (the default of 26.7), said explicitly because
 * funnel SQL is shaped for it: planning a funnel, not running it, was a third of its time. The previous
 * analyzer replaces every alias by its expression and re-analyzes each nested subquery: 0.25-0.3 s to
 * plan the funnel on an empty table. The analyzer plans the same chain, written one subquery per stage,
 * in ~0.1 s. At 1M shoppers / 19.9M events the per-step answer went from ~0.9 s to ~0.65 s in the same
 * interleaved runs (bench/results.md). Known-answer tests compare both analyzers' answers.
 */
const FUNNEL_SETTINGS = ' SETTINGS enable_analyzer = 1';

/** Runs a funnel: per-step totals with the breakdown (one query) and, when asked, the trend (one more). */
export async function runFunnel(client: ClickHouseClient, input: FunnelDefinitionInput | FunnelDefinition, options: FunnelQueryOptions = {}): Promise<FunnelResult> {
  const started = performance.now();
  const built = buildFunnelQuery(input, { timeline: await currentPersonTimeline(client), ...options });
  const def = built.definition;
  const rs = await client.query({ query: funnelStepsSql(built) + FUNNEL_SETTINGS, query_params: built.params, format: 'JSONEachRow' });
  const rows = await rs.json<Row>();
  const groups = rows.map((r) => toGroup(r, def));
  const totalIndex = rows.findIndex((r) => Number(r.is_total) === 1);
  const total = totalIndex >= 0 ? groups[totalIndex]! : toGroup({ bval: '(all)' }, def);
  const breakdown = def.breakdown ? groups.filter((_, i) => i !== totalIndex) : [];
  let trend: FunnelResult['trend'] = [];
  if (def.trend) {
    const t = await client.query({ query: funnelTrendSql(built) + FUNNEL_SETTINGS, query_params: built.params, format: 'JSONEachRow' });
    trend = (await t.json<Row>()).map((r) => {
      const entered = Number(r.entered);
      const converted = Number(r.converted);
      return { period: String(r.period), entered, converted, inProgress: Number(r.in_progress), conversionRate: ratio(converted, entered) };
    });
  }
  return { total: { ...total, value: '(all)' }, breakdown, trend, source: built.source, tookMs: Math.round(performance.now() - started) };
}

/** Person ids who stopped at `step` (1-based) with their window closed: "who dropped off at step k". */
export async function funnelDropOffs(client: ClickHouseClient, input: FunnelDefinitionInput | FunnelDefinition, step: number, options: DropOffOptions = {}): Promise<string[]> {
  const q = await funnelDropOffQuery(client, input, step, options);
  const rs = await client.query({ query: q.sql + q.settings, query_params: q.params, format: 'JSONEachRow' });
  return (await rs.json<{ person_id: string }>()).map((r) => r.person_id);
}

export type DropOffOptions = FunnelQueryOptions & { breakdownValue?: string };

/**
 * The drop-off list as SQL (`person_id` column, text) with the settings funnels run with: what
 * `funnelDropOffs` reads and a drop-off snapshot segment writes, so both hold the same persons.
 */
export async function funnelDropOffQuery(client: ClickHouseClient, input: FunnelDefinitionInput | FunnelDefinition, step: number, options: DropOffOptions = {}): Promise<{ sql: string; params: Record<string, unknown>; settings: string }> {
  const built = buildFunnelQuery(input, { timeline: await currentPersonTimeline(client), ...options });
  return { ...funnelDropOffSql(built, step, options.breakdownValue), settings: FUNNEL_SETTINGS };
}

function toGroup(r: Row, def: FunnelDefinition): FunnelGroupResult {
  const n = def.steps.length;
  const steps: FunnelStepResult[] = def.steps.map((s, i) => {
    const k = i + 1;
    const count = Number(r[`reached_${k}`] ?? 0);
    const gap = k > 1 && count > 0 ? (r[`gap_${k}`] as number[] | undefined) : undefined;
    return {
      step: k, event: s.event, label: s.label ?? s.event, count,
      conversionFromStart: ratio(count, Number(r.reached_1 ?? 0)),
      conversionFromPrevious: k === 1 ? (count > 0 ? 1 : 0) : ratio(count, Number(r[`reached_${k - 1}`] ?? 0)),
      droppedOff: Number(r[`dropped_${k}`] ?? 0),
      inProgress: Number(r[`in_progress_${k}`] ?? 0),
      medianSecondsFromPrevious: gap ? round(gap[0]!) : null,
      p90SecondsFromPrevious: gap ? round(gap[1]!) : null,
    };
  });
  const entered = steps[0]!.count;
  const converted = steps[n - 1]!.count;
  const inProgress = steps.reduce((a, s) => a + s.inProgress, 0);
  return { value: String(r.bval ?? ''), entered, converted, conversionRate: ratio(converted, entered), settledConversionRate: ratio(converted, entered - inProgress), steps };
}

export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
