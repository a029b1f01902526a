import { EVENT_COLUMNS, funnelDefinitionSchema, type FunnelDefinition, type FunnelDefinitionInput, type DefinitionIssue } from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { compareSql, jsonTarget } from '../dsl/compare-sql.js';
import { QueryParams } from '../dsl/query-params.js';
import { CURRENT_TRAITS_SQL } from '../traits/refresh-person-traits.js';
import { channelCodeSql, channelNameSql, chTime } from './channel-sql.js';
import { newerEventRowsSql, personRowsSql, timelineRowsSql } from './person-key-sql.js';
import { TIMELINE_COLUMNS, timelineParams, type PersonTimeline } from './refresh-person-timeline.js';

export interface FunnelQueryOptions {
  /** "Now": persons whose window is still open at this time are in progress, not drop-offs. */
  asOf?: Date;
  /**
   * The current person event timeline (`currentPersonTimeline`): read instead of joining every event of
   * the period to the identity map, when the definition uses only columns the timeline has.
   */
  timeline?: PersonTimeline;
}

export interface BuiltFunnelQuery {
  definition: FunnelDefinition;
  /** One row per person who entered: level, in_progress, breakdown value, entry time, steps of the best chain and the time between them. */
  personsSql: string;
  params: Record<string, unknown>;
  /** Where the events came from: the person event timeline (plus newer events), or `events` alone. */
  source: 'timeline' | 'events';
  /**
   * `personsSql`'s `bkey` column is what totals group by (the channel's code: grouping numbers is cheaper
   * than names); this SQL turns it into the breakdown value (`bval`).
   */
  valueOfKeySql: string;
}

const TS = 'toUInt64(toUnixTimestamp64Milli(timestamp))';
/**
 * Parts of a packed step event: time · 2^19 + mask · 2^9 + channel code (5 bits: + 16 when the event
 * has campaign data) · 16 + touch code (4 bits: the channel of the person's latest landing page at or
 * before it, timeline rows only).
 */
const TS_OF = (x: string) => `intDiv(${x}, 524288)`;
const MASK_OF = (x: string) => `(intDiv(${x}, 512) % 1024)`;
/** How far before `from` a session's touch (landing page) of an entry event is looked for. */
const TOUCH_LOOKBACK_MS = 86_400_000;

/**
 * A funnel definition → the per-person SQL every funnel answer is computed from.
 *
 * - `level`: ClickHouse's `windowFunnel(window_ms, mode)` over the person's events (the step reached).
 * - `chain_length`, `step_gap_k` (k ≥ 2): the person's best journey (greedy earliest match from each
 *   step-1 event, only events within `window` of that start; the longest chain, the latest start among
 *   equals): how many steps it has (at most `level`) and the milliseconds from step k-1 to step k, valid
 *   for k ≤ chain_length, so times between steps are never measured outside the window.
 * - `in_progress`: not converted yet and the latest step-1 event's window has not closed at `asOf`.
 * - `st`: level · 2 + in_progress, what totals count by (one column: `countIf(level = k AND in_progress
 *   = 0)` over two subquery columns took the query analyzer ~10 ms per aggregate to plan).
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
    // Channel code (1-based index in CHANNEL_NAMES) + 16 when the event has campaign data of its own
    // (materialized columns, migration 0031).
    columns.add('channel').add('campaign_tagged').add('session_start');
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
  const mode = def.mode === 'default' ? '' : `, '${def.mode}'`;
  // The steps an event matches, as a bit mask (bit k-1: step k). A person's events are one array of
  // UInt64 packed as above (TS_OF, MASK_OF: groupArray of numbers is far cheaper than of tuples); sorting
  // it sorts by (time, mask), done only for the persons whose chain is computed. The entry (the smallest
  // packed step-1 event: its time, channel and touch codes) and the last start are plain minIf/maxIf
  // aggregates: cheaper than lambdas over every person's array afterwards.
  const mask = `toUInt16(${stepSql.map((s, i) => `bitShiftLeft(toUInt16(${s}), ${i})`).join(' + ')})`;
  // A step event that matches no step (a step-1 event after `to`, or one its filters leave out) changes
  // nothing but the strict_order level (windowFunnel stops a chain at it): left out of the aggregation
  // otherwise (~15 % of a 30-day funnel's rows with a 7-day window).
  const matchedWhere = def.mode === 'strict_order' ? stepsWhere : `${stepsWhere} AND ${mask} != 0`;
  const where = channel ? `(${matchedWhere}) OR (${touchWhere})` : matchedWhere;
  const code = channel ? `${channelCodeSql()} + 16 * campaign_tagged` : '0';
  const stringBval = !channel && (b && ('column' in b || 'property' in b));
  // Each row leaves the scan as a few numbers (no strings through the join): its step mask, `v` (a step
  // event packed as below; a touch as time · 16 + channel code) and, when needed, whether it is a touch
  // (event '': step events have names) and its breakdown string.
  const fromMs = `toUInt64(toUnixTimestamp64Milli(${from}))`;
  // A touch (time · 16 + channel code, as `last_touch` packs it) → its channel code when it is within the
  // lookback before `from`, else 0.
  const touchCodeInLookback = (touch: string) => `if(intDiv(${touch}, 16) >= ${fromMs} - ${TOUCH_LOOKBACK_MS}, ${touch} % 16, 0)`;
  const selectWith = (touchCode: string) => [
    `${mask} AS mask`,
    `if(event = '', ${TS} * 16 + ${channel ? channelCodeSql() : '0'}, ${TS} * 524288 + mask * 512 + (${code}) * 16 + ${touchCode}) AS v`,
    ...(channel ? [`event = '' AS is_touch`] : []),
    ...(stringBval ? [`${bvalEvent} AS bv`] : []),
  ].join(', ');
  const rowNames = ['mask', 'v', ...(channel ? ['is_touch'] : []), ...(stringBval ? ['bv'] : [])];
  const timeline = options.timeline && [...columns].every((c) => TIMELINE_COLUMNS.has(c)) ? options.timeline : undefined;

  // Default mode with a different event name at every step (an event matches at most one step): the
  // level is the longest greedy chain, computed below from the event array for everyone, and
  // windowFunnel (which would keep a second copy of every event) is not needed. The two agree: a
  // later start only widens the window, and the earliest next match is the best one from a start.
  const levelFromChains = def.mode === 'default' && new Set(def.steps.map((s) => s.event)).size === n;
  // With the channel breakdown from the timeline, its rows carry `last_touch` (the person's latest landing
  // page at or before the row, written with it): the entry's touch is that of the entry event, packed in
  // it (its channel when within the lookback; an argMin aggregate of it cost a third of the aggregation).
  // The timeline's touch rows are read only for persons with events stored since (the entry can be one
  // of those, or a late event before the timeline's touches) and persons marked stale (a late landing
  // page appended by the catch-up): their `touches` array holds all their touches in range and decides.
  // Everyone else needs no touch rows at all.
  const timelineTouch = Boolean(channel && timeline);
  const newerParts = Boolean(timeline && timeline.newerParts.length > 0);
  // (persons whose rows' last_touch a late landing page outdated: like those with events stored since)
  const stale = Boolean(timeline?.stalePersons);
  const touchesArray = channel && (!timeline || newerParts || stale);
  const aggregates = `SELECT person_id,
      ${levelFromChains ? '' : `windowFunnel(${windowMs}${mode})(${TS_OF('v')}, ${def.steps.map((_, i) => `bitTest(mask, ${i})`).join(', ')}) AS level,`}
      groupArrayIf(v, mask != 0) AS evs,
      minIf(v, bitTest(mask, 0)) AS first_start,
      ${TS_OF('maxIf(v, bitTest(mask, 0))')} AS last_start,
      groupBitOr(mask) AS masks${stringBval ? `,
      argMinIf(bv, v, bitTest(mask, 0)) AS bval_string` : ''}${touchesArray ? `,
      groupArrayIf(v, is_touch) AS touches` : ''}`;
  const sel = selectWith('0');
  let rows: string;
  if (!timeline) {
    rows = personRowsSql(sel, rowNames, where);
  } else {
    const newer = newerEventRowsSql(sel, rowNames, where);
    // (`is_touch` leads the timeline's sort key: each part of the OR is a key range)
    const steps = `NOT is_touch AND ${matchedWhere}`;
    const touches = `is_touch AND ${touchWhere}`;
    const touchPersons = [
      ...(newerParts ? [`SELECT person_id FROM (${newer})`] : []),
      ...(stale ? ['SELECT person_id FROM person_event_timeline_stale WHERE version = {tl_version:UInt64}'] : []),
    ].join(' UNION ALL ');
    const timelineWhere = timelineTouch && touchPersons ? `(${steps}) OR (${touches} AND person_id IN (${touchPersons}))` : steps;
    const written = timelineRowsSql(timelineTouch ? selectWith(touchCodeInLookback('last_touch')) : sel, timelineWhere);
    rows = newerParts ? `${written}\n    UNION ALL\n    ${newer}` : written;
  }
  const aggregated = `${aggregates}
    FROM (${rows})
    GROUP BY person_id
    HAVING ${levelFromChains ? 'first_start != 0' : 'level > 0'}`;
  const perPerson = `SELECT person_id, ${levelFromChains ? '' : 'level, '}evs,
      ${levelFromChains ? 'bitTest(masks, 1)' : 'level >= 2'} AS later,
      ${TS_OF('first_start')} AS entered_at, last_start,
      ${channel ? `toUInt8(intDiv(first_start, 16) % 32)` : stringBval ? 'bval_string' : `''`} AS bval_event${touchesArray ? ', touches' : ''}${timelineTouch ? ', toUInt8(first_start % 16) AS entry_touch' : ''}
    FROM (${aggregated})`;

  // The journey whose step times are reported: from each step-1 event, the greedy chain (each next step
  // the first matching event after the previous one, all within the window of the start); the longest
  // chain wins, the latest start among equals. c_nx{k}[j] is the first event at or after position j that
  // matches step k+1, as its time · 2^20 + its position, so a chain costs one lookup per step; c_q{k}
  // holds, for every start (c_q0: its position, c_s: its time), its step k+1 event packed the same way
  // (0: not reached). Lambdas capture one array each (ClickHouse copies a captured array for every
  // element it maps: a cost that grows with the square of a person's events). Only for persons who can
  // have a chain longer than 1 (`later`: they reached step 2, or with the level from the chains, have
  // any step-2 event; a bit of the steps-seen mask rather than a lambda over every array); c_e is empty
  // for the others, and the short-circuit `if` sorts only their arrays.
  const ks = def.steps.map((_, k) => k);
  const POS = 1048576; // positions below 2^20 per person and funnel
  // The entry's touch channel (0: none): from `touches`, the largest (time · 16 + channel) not above entry
  // time · 16 + 15 within the lookback, computed once; else the code packed in the entry event.
  const fromTouches = touchCodeInLookback('c_touch_any');
  const touchOfEntry = touchesArray ? (timelineTouch ? `if(empty(touches), entry_touch, ${fromTouches})` : fromTouches) : 'entry_touch';
  // One subquery per stage, each reading only the columns of the one below (run-funnel.ts runs it with
  // the current analyzer): aliases built on aliases (c_q3 on c_q2 on ... c_e) in one SELECT grew a tree
  // that took the previous analyzer ~0.2 s to analyze, longer than some funnels take to run.
  const maskIs1 = `${MASK_OF('x')} = 1`;
  const stages: string[][] = [
    [`if(later, arraySort(evs), []) AS c_all`, ...(channel ? [`${touchesArray ? `arrayMax(arrayFilter(x -> x <= entered_at * 16 + 15, touches)) AS c_touch_any, ` : ''}${touchOfEntry} AS c_touch`] : [])],
    // Only the last step-1 event before each step-2 event (and the last one) can start the best chain: an
    // earlier one reaches the same step-2 event with a narrower window, and is earlier. So a step-1-only
    // event followed (before any step-2 event) by another step-1 event is dropped: c_n12 holds the step-1/2
    // bits of the next event that has any.
    [`arrayShiftLeft(arrayReverseFill(x -> x != 0, arrayMap(x -> bitAnd(${MASK_OF('x')}, 3), c_all)), 1) AS c_n12`],
    [`arrayFilter((x, n) -> NOT (${maskIs1} AND n = 1), c_all, c_n12) AS c_e`],
    [`arrayEnumerate(c_e) AS c_ix`],
    [
      `arrayFilter((j, x) -> bitTest(${MASK_OF('x')}, 0), c_ix, c_e) AS c_q0`,
      `arrayMap(x -> ${TS_OF('x')}, arrayFilter(x -> bitTest(${MASK_OF('x')}, 0), c_e)) AS c_s`,
      ...ks.slice(1).map((k) => `arrayReverseFill(x -> x != 0, arrayMap((x, j) -> if(bitTest(${MASK_OF('x')}, ${k}), ${TS_OF('x')} * ${POS} + j, 0), c_e, c_ix)) AS c_nx${k}`),
    ],
    ...ks.slice(1).map((k) => [
      `arrayMap((q, s) -> if(q = 0, 0, if(c_nx${k}[q % ${POS} + 1] != 0 AND intDiv(c_nx${k}[q % ${POS} + 1], ${POS}) <= s + ${windowMs}, c_nx${k}[q % ${POS} + 1], 0)), c_q${k - 1}, c_s) AS c_q${k}`,
    ]),
    // per start: chain length · 2^20 + its index (the longest chain, the latest start among equals, is the maximum)
    [`arrayMax(arrayMap((${ks.map((k) => `q${k}`).join(', ')}, j) -> toUInt32(${ks.map((k) => `(q${k} != 0)`).join(' + ')}) * ${POS} + j, ${ks.map((k) => `c_q${k}`).join(', ')}, arrayEnumerate(c_q0))) AS c_top`],
    [
      // (a person here has a step-1 event in range; without any step-2 event, c_e is empty and the level 1)
      ...(levelFromChains ? [`if(empty(c_q0), 1, intDiv(c_top, ${POS})) AS level`] : []),
      `c_top % ${POS} AS c_best`,
    ],
    // The best chain as scalars (an array per person costs more than the rest of the chain): its length
    // (the steps reached, at most the level: windowFunnel's level can exceed the greedy chain in strict
    // modes) and the times of its steps.
    [`if(empty(c_q0), 0, least(level, intDiv(c_top, ${POS}))) AS chain_length`, `c_s[c_best] AS c_t0`, ...ks.slice(1).map((k) => `intDiv(c_q${k}[c_best], ${POS}) AS c_t${k}`)],
  ];
  const chained = stages.reduce((inner, cols) => `SELECT *, ${cols.join(', ')} FROM (${inner})`, perPerson);
  // The milliseconds from each step to the next, valid up to the chain's length.
  const withChain = `SELECT person_id, level, entered_at, last_start, bval_event,${channel ? ' c_touch,' : ''} chain_length${ks.slice(1).map((k) => `,
      toInt64(c_t${k}) - toInt64(c_t${k - 1}) AS step_gap_${k + 1}`).join('')}
    FROM (${chained})`;
  let bval = `if(bval_event = '', '(none)', bval_event)`;
  let bkey = 'bval';
  let valueOfKeySql = 'bkey';
  if (channel) {
    // Its own channel when the entry event carries campaign data, else its latest touch's (at or before it,
    // c_touch above; 0: none).
    bkey = `toUInt8(if(f.bval_event >= 16 OR f.c_touch = 0, f.bval_event % 16, f.c_touch))`;
    valueOfKeySql = channelNameSql('bkey');
    bval = valueOfKeySql;
  } else if (b && 'trait' in b) {
    traitJoin = `LEFT ANY JOIN ${CURRENT_TRAITS_SQL} AS t ON t.person_id = f.person_id`;
    bval = `if(t.${b.trait} = '', '(none)', t.${b.trait})`;
  }
  const personsSql = `SELECT f.person_id AS person_id, f.level AS level, f.entered_at AS entered_at,
      toUInt8(f.level < ${n} AND f.last_start + ${windowMs} > ${asOf}) AS in_progress, toUInt8(f.level * 2 + in_progress) AS st,
      ${b ? bval : `'(all)'`} AS bval, ${channel ? bkey : 'bval'} AS bkey,
      f.chain_length AS chain_length${ks.slice(1).map((k) => `, f.step_gap_${k + 1} AS step_gap_${k + 1}`).join('')}
    FROM (${withChain}) AS f ${traitJoin}`;
  return { definition: def, personsSql, params: timeline ? { ...params.values, ...timelineParams(timeline) } : params.values, source: timeline ? 'timeline' : 'events', valueOfKeySql };
}

/** Per-step totals (rollup over the breakdown: the row with `is_total = 1` is the whole funnel). */
export function funnelStepsSql(built: BuiltFunnelQuery): string {
  const n = built.definition.steps.length;
  const cols: string[] = [];
  for (let k = 1; k <= n; k++) {
    cols.push(`countIf(level >= ${k}) AS reached_${k}`);
    cols.push(k < n ? `countIf(st = ${2 * k}) AS dropped_${k}` : `0 AS dropped_${k}`);
    cols.push(`countIf(st = ${2 * k + 1}) AS in_progress_${k}`);
    if (k > 1) {
      cols.push(`quantilesExactInclusiveIf(0.5, 0.9)(step_gap_${k} / 1000, chain_length >= ${k}) AS gap_${k}`);
    }
  }
  return `SELECT ${built.valueOfKeySql} AS bval, grouping(bkey) AS is_total, ${cols.join(', ')}
    FROM (${built.personsSql}) GROUP BY ROLLUP(bkey) ORDER BY is_total DESC, reached_1 DESC, bval`;
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
      WHERE st = 2 * {drop_step:UInt8} ${breakdownValue === undefined ? '' : 'AND bval = {drop_bval:String}'}
      ORDER BY person_id`,
    params,
  };
}
