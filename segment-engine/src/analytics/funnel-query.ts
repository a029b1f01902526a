import { EVENT_COLUMNS, funnelDefinitionSchema, type FunnelDefinition, type FunnelDefinitionInput, type DefinitionIssue } from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { compareSql, jsonTarget } from '../dsl/compare-sql.js';
import { QueryParams } from '../dsl/query-params.js';
import { CURRENT_TRAITS_SQL } from '../traits/refresh-person-traits.js';
import { chTime } from './channel-sql.js';
import { NOT_SUPPRESSED_SQL, withPersonSql } from './person-key-sql.js';

export interface FunnelQueryOptions {
  /** "Now": persons whose window is still open at this time are in progress, not drop-offs. */
  asOf?: Date;
}

export interface BuiltFunnelQuery {
  definition: FunnelDefinition;
  /** One row per person who entered: level, in_progress, breakdown value, entry time, step times of the best chain. */
  personsSql: string;
  params: Record<string, unknown>;
}

const TS = 'toUInt64(toUnixTimestamp64Milli(timestamp))';
/** How far before `from` a session's touch (landing page) of an entry event is looked for. */
const TOUCH_LOOKBACK_MS = 86_400_000;

/**
 * A funnel definition → the per-person SQL every funnel answer is computed from.
 *
 * - `level`: ClickHouse's `windowFunnel(window_ms, mode)` over the person's events (the step reached).
 * - `chain`: the step timestamps of the person's best journey (greedy earliest match from each step-1
 *   event, only events within `window` of that start; the longest chain, the latest start among equals),
 *   so times between steps are never measured outside the window. Only the first `level` entries count.
 * - `in_progress`: not converted yet and the latest step-1 event's window has not closed at `asOf`.
 * - `bval`: the breakdown value of the person ('(none)' when empty), one per person so rows add up.
 *   The channel breakdown is the source channel of the entry event: its own campaign data when it has
 *   some, else the channel of the person's latest touch (a landing page view: session start or campaign
 *   tags) at or before it (looked for up to a day before `from`), else its own (referrer or direct).
 */
export function buildFunnelQuery(input: FunnelDefinitionInput | FunnelDefinition, options: FunnelQueryOptions = {}): BuiltFunnelQuery {
  const parsed = funnelDefinitionSchema.safeParse(input);
  if (!parsed.success) throw new DefinitionError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const def = parsed.data;
  const params = new QueryParams();
  const issues: DefinitionIssue[] = [];
  const columns = new Set<string>(['key_hash', 'timestamp', 'event', 'type']);
  const from = params.named('from', chTime(def.from), "DateTime64(3, 'UTC')");
  const to = params.named('to', chTime(def.to), "DateTime64(3, 'UTC')");
  const asOf = params.named('as_of', (options.asOf ?? new Date()).getTime(), 'UInt64');
  const windowMs = Math.trunc(def.window_seconds) * 1000; // validated integer: aggregate parameters cannot be bound
  const n = def.steps.length;

  const stepSql = def.steps.map((s, i) => {
    const conds = [`event = ${params.add(s.event, 'String')}`];
    (s.where ?? []).forEach((f, j) => {
      const at = `steps.${i}.where.${j}`;
      if (f.column) {
        columns.add(f.column);
        conds.push(compareSql({ type: EVENT_COLUMNS[f.column], expr: f.column }, f.op, f.value, params, at, issues));
      } else {
        columns.add('properties');
        conds.push(compareSql(jsonTarget('properties', f.property!, params), f.op, f.value, params, at, issues));
      }
    });
    if (i === 0) conds.push(`timestamp >= ${from}`, `timestamp < ${to}`);
    return `(${conds.join(' AND ')})`;
  });
  if (issues.length) throw new DefinitionError(issues);

  // The breakdown value of the entry event (first step-1 event in range), or of the person.
  let bvalEvent = `''`;
  let traitJoin = '';
  const b = def.breakdown;
  const channel = Boolean(b && 'channel' in b);
  if (b && 'channel' in b) {
    // '+' marks an entry event with campaign data of its own (materialized columns, migration 0031).
    bvalEvent = `if(campaign_tagged, concat('+', channel), toString(channel))`;
    columns.add('channel').add('campaign_tagged');
  } else if (b && 'column' in b) {
    columns.add(b.column);
    bvalEvent = `toString(${b.column})`;
  } else if (b && 'property' in b) {
    columns.add('properties');
    bvalEvent = jsonTarget('properties', b.property, params).extract('String');
  }
  const names = params.add([...new Set(def.steps.map((s) => s.event))], 'Array(String)');
  const stepsWhere = `event IN ${names} AND timestamp >= ${from} AND timestamp < ${to} + toIntervalMillisecond(${windowMs})`;
  const touchWhere = `event = '' AND type = 'page' AND (session_start OR campaign_tagged) AND timestamp >= ${from} - toIntervalMillisecond(${TOUCH_LOOKBACK_MS}) AND timestamp < ${to}`;
  const where = channel ? `(${stepsWhere}) OR (${touchWhere})` : stepsWhere;
  const mode = def.mode === 'default' ? '' : `, '${def.mode}'`;
  // The steps an event matches, as a bit mask (bit k-1: step k).
  const mask = `toUInt16(${stepSql.map((s, i) => `bitShiftLeft(toUInt16(${s}), ${i})`).join(' + ')})`;

  // Per identifier first (a few rows per shopper instead of one per event), then per person.
  const perKey = `SELECT key_hash,
      groupArrayIf((${TS}, mask), mask != 0) AS k_evs,
      minIf(${TS}, bitTest(mask, 0)) AS k_entered,
      maxIf(${TS}, bitTest(mask, 0)) AS k_last,
      argMinIf(${bvalEvent}, ${TS}, bitTest(mask, 0)) AS k_bval${channel ? `,
      groupArrayIf((${TS}, toString(channel)), event = '' AND type = 'page') AS k_touches` : ''}
    FROM (SELECT ${[...columns].join(', ')}, ${mask} AS mask FROM events WHERE (${where}) AND ${NOT_SUPPRESSED_SQL})
    GROUP BY key_hash`;
  const conds = def.steps.map((_, i) => `arrayMap(x -> bitTest(x.2, ${i}), k_evs)`).join(', ');
  const perPerson = `SELECT person_id,
      windowFunnelArray(${windowMs}${mode})(arrayMap(x -> x.1, k_evs), ${conds}) AS level,
      arraySort(x -> x.1, groupArrayArray(k_evs)) AS evs,
      minIf(k_entered, k_evs_has_start) AS entered_at,
      max(k_last) AS last_start,
      argMinIf(k_bval, k_entered, k_evs_has_start) AS bval_event${channel ? `,
      arraySort(x -> x.1, groupArrayArray(k_touches)) AS touches` : ''}
    FROM (SELECT *, k_entered > 0 AS k_evs_has_start FROM (${withPersonSql(perKey, ['k_evs', 'k_entered', 'k_last', 'k_bval', ...(channel ? ['k_touches'] : [])])}))
    GROUP BY person_id
    HAVING level > 0`;

  // Greedy chains from every step-1 event (bounded by its window), the best one kept; only persons
  // who reached step 2 have times between steps.
  const chains = `arrayMap(i -> arrayFold((acc, x) -> if(length(acc) < ${n} AND x.1 <= evs[i].1 + ${windowMs} AND bitTest(x.2, length(acc)), arrayPushBack(acc, x.1), acc),
        arraySlice(evs, i + 1), [evs[i].1]), arrayFilter(i -> bitTest(evs[i].2, 0), arrayEnumerate(evs)))`;
  let bval = `if(bval_event = '', '(none)', bval_event)`;
  if (channel) {
    bval = `if(startsWith(f.bval_event, '+'), substring(f.bval_event, 2),
      if(arrayExists(x -> x.1 <= f.entered_at, f.touches), arrayLast(x -> x.1 <= f.entered_at, f.touches).2, f.bval_event))`;
  } else if (b && 'trait' in b) {
    traitJoin = `LEFT ANY JOIN ${CURRENT_TRAITS_SQL} AS t ON t.person_id = f.person_id`;
    bval = `if(t.${b.trait} = '', '(none)', t.${b.trait})`;
  }
  const personsSql = `SELECT f.person_id AS person_id, f.level AS level, f.entered_at AS entered_at,
      toUInt8(f.level < ${n} AND f.last_start + ${windowMs} > ${asOf}) AS in_progress,
      ${b ? bval : `'(all)'`} AS bval,
      if(f.level >= 2, arraySlice(arrayReverseSort(c -> (length(c), c[1]), ${chains})[1], 1, f.level), []) AS chain
    FROM (${perPerson}) AS f ${traitJoin}`;
  return { definition: def, personsSql, params: params.values };
}

/** Per-step totals (rollup over the breakdown: the row with `is_total = 1` is the whole funnel). */
export function funnelStepsSql(built: BuiltFunnelQuery): string {
  const n = built.definition.steps.length;
  const cols: string[] = [];
  for (let k = 1; k <= n; k++) {
    cols.push(`countIf(level >= ${k}) AS reached_${k}`);
    cols.push(k < n ? `countIf(level = ${k} AND in_progress = 0) AS dropped_${k}` : `0 AS dropped_${k}`);
    cols.push(`countIf(level = ${k} AND in_progress = 1) AS in_progress_${k}`);
    if (k > 1) {
      cols.push(`quantilesExactInclusiveIf(0.5, 0.9)((chain[${k}] - chain[${k - 1}]) / 1000, length(chain) >= ${k}) AS gap_${k}`);
    }
  }
  return `SELECT bval, grouping(bval) AS is_total, ${cols.join(', ')}
    FROM (${built.personsSql}) GROUP BY ROLLUP(bval) ORDER BY is_total DESC, reached_1 DESC, bval`;
}

/** Conversion over time by the bucket of each person's first step-1 event. */
export function funnelTrendSql(built: BuiltFunnelQuery): string {
  const n = built.definition.steps.length;
  const bucket = { day: 'toStartOfDay', week: 'toMonday', month: 'toStartOfMonth' }[built.definition.trend ?? 'day'];
  return `SELECT toString(toDate(${bucket}(fromUnixTimestamp64Milli(toInt64(entered_at), 'UTC')))) AS period,
      count() AS entered, countIf(level = ${n}) AS converted, countIf(in_progress = 1) AS in_progress
    FROM (${built.personsSql}) GROUP BY period ORDER BY period`;
}

/** Person ids who reached step `step` and stopped there (window closed), optionally within one breakdown value. */
export function funnelDropOffSql(built: BuiltFunnelQuery, step: number, breakdownValue?: string): { sql: string; params: Record<string, unknown> } {
  const params = { ...built.params, drop_step: step, drop_bval: breakdownValue ?? '' };
  return {
    sql: `SELECT toString(person_id) AS person_id FROM (${built.personsSql})
      WHERE level = {drop_step:UInt8} AND in_progress = 0 ${breakdownValue === undefined ? '' : 'AND bval = {drop_bval:String}'}
      ORDER BY person_id`,
    params,
  };
}
