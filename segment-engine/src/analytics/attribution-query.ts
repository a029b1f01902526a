import { attributionDefinitionSchema, type AttributionDefinition, type AttributionDefinitionInput } from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { QueryParams } from '../dsl/query-params.js';
import { CHANNEL_NAMES_SQL, channelCodeSql, channelNameSql, chTime } from './channel-sql.js';
import { NOT_SUPPRESSED_SQL, withPersonSql } from './person-key-sql.js';
import { CONVERSION, NULL_STATE, START } from './markov.js';

export interface BuiltAttributionQuery {
  definition: AttributionDefinition;
  /**
   * One pass over the touches and conversions, two kinds of rows (`kind`):
   * - `0`: per (channel, campaign) `a`/`b`, the rule-based models side by side in `v`:
   *   revenue of each model in `RULE_MODELS` order, then conversions in the same order;
   * - `1`: Markov transition counts, `a` → `b`, count in `v[1]`, over touched conversions and
   *   non-converting journeys.
   */
  sql: string;
  params: Record<string, unknown>;
}

/** The rule-based models, in the order of the values of a `kind = 0` row. */
export const RULE_MODELS = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based'] as const;

/** Latest units-per-USD rate of each currency (no row: taken as 1). */
export const LATEST_RATES_SQL = `(SELECT currency, argMax(usd_rate, date) AS usd_rate FROM exchange_rates GROUP BY currency)`;
/** The same as two parallel arrays (currencies, rates), for `transform` in a scalar subquery. */
export const RATES_ARRAYS_SQL = `(SELECT (groupArray(toString(currency)), groupArray(toFloat64(usd_rate))) FROM ${LATEST_RATES_SQL})`;

/**
 * Attribution in SQL, in one pass. Each person's touches (a page view that starts a session or carries
 * campaign data, or a named touch event, in [from − lookback, to)) and conversions (the conversion event
 * in [from, to), revenue in USD at the latest rate) are gathered once. Each conversion gets the touches
 * in [conversion − lookback, conversion], ordered by time (ties by channel, campaign); the weights of
 * every rule-based model are arrays over that path, summed per channel (and campaign). A conversion
 * with no touch goes to `(none)` in every model, so each model's column adds up to the total. The same
 * paths, and the touches in [from, to) of persons without a conversion, are the Markov journeys.
 * Channels come from the materialized `channel` column (migration 0031).
 */
export function buildAttributionQuery(input: AttributionDefinitionInput | AttributionDefinition): BuiltAttributionQuery {
  const parsed = attributionDefinitionSchema.safeParse(input);
  if (!parsed.success) throw new DefinitionError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const def = parsed.data;
  const p = new QueryParams();
  const from = p.named('from', chTime(def.from), "DateTime64(3, 'UTC')");
  const to = p.named('to', chTime(def.to), "DateTime64(3, 'UTC')");
  const lookback = p.named('lookback_ms', def.lookback_days * 86_400_000, 'UInt64');
  const half = p.named('half_life_ms', def.half_life_days * 86_400_000, 'Float64');
  const pf = p.named('first_share', def.position_weights.first, 'Float64');
  const pl = p.named('last_share', def.position_weights.last, 'Float64');
  const conv = p.named('conversion_event', def.conversion_event, 'String');
  const names = p.named('touch_events', def.touch_events, 'Array(String)');
  const byCampaign = def.group_by === 'campaign';
  const campaignExpr = byCampaign ? `if(utm_campaign = '', '(none)', utm_campaign)` : `''`;
  const fromMs = `toUInt64(toUnixTimestamp64Milli(${from}))`;

  const isTouch = `((event = '' AND type = 'page' AND (session_start OR campaign_tagged)) OR (type = 'track' AND event IN ${names}))`;
  const isConv = `(event = ${conv} AND timestamp >= ${from})`;
  const rows = withPersonSql(
    `SELECT key_hash, toUInt64(toUnixTimestamp64Milli(timestamp)) AS ts, toUInt8(${isTouch}) AS is_touch, toUInt8(${isConv}) AS is_conv,
        toUInt8(${channelCodeSql()}) AS ch, ${campaignExpr} AS camp,
        ifNull(revenue, 0) / if(transform(toString(currency), rates.1, rates.2, 0.) > 0, transform(toString(currency), rates.1, rates.2, 0.), 1) AS usd
      FROM events
      WHERE ((${isTouch} AND timestamp >= ${from} - toIntervalMillisecond(${lookback})) OR ${isConv}) AND timestamp < ${to} AND ${NOT_SUPPRESSED_SQL}`,
    ['ts', 'is_touch', 'is_conv', 'ch', 'camp', 'usd'],
  );
  // Per person: touches (time, channel code[, campaign]) sorted by time, then channel name (the codes
  // follow the names' order), then campaign; one journey per conversion (its path), or
  // one null journey of the touches in [from, to) when the person did not convert.
  // groupArray of numbers is far cheaper than of tuples: grouped by channel, a touch is packed into one
  // UInt64 (time · 16 + channel code), whose sort order is (time, channel).
  const touchesAgg = byCampaign
    ? `arraySort(groupArrayIf((ts, ch, camp), is_touch = 1))`
    : `arrayMap(x -> (intDiv(x, 16), toUInt8(x % 16)), arraySort(groupArrayIf(ts * 16 + ch, is_touch = 1)))`;
  const journeys = `SELECT person_id,
      ${touchesAgg} AS touches,
      groupArrayIf(ts, is_conv = 1) AS conv_ts,
      groupArrayIf(usd, is_conv = 1) AS conv_usd,
      if(empty(conv_ts),
        [(toUInt8(0), 0., toUInt64(0), arrayFilter(x -> x.1 >= ${fromMs}, touches))],
        arrayMap((c, r) -> (toUInt8(1), r, c, arrayFilter(x -> x.1 <= c AND x.1 + ${lookback} >= c, touches)), conv_ts, conv_usd)) AS js
    FROM (${rows}) GROUP BY person_id`;

  const idx = 'range(1, n + 1)';
  const direct = `indexOf(${CHANNEL_NAMES_SQL}, 'direct')`;
  const lndIndex = `if(arrayExists(x -> x.2 != ${direct}, path), arrayLastIndex(x -> x.2 != ${direct}, path), n)`;
  const name = (x: string) => channelNameSql(`${x}.2`);
  const decayRaw = `arrayMap(x -> pow(2, -(toFloat64(cts) - toFloat64(x.1)) / ${half}), path)`;
  const weights: Record<(typeof RULE_MODELS)[number], string> = {
    first_touch: `arrayMap(i -> toFloat64(i = 1), ${idx})`,
    last_touch: `arrayMap(i -> toFloat64(i = n), ${idx})`,
    last_non_direct: `arrayMap(i -> toFloat64(i = ${lndIndex}), ${idx})`,
    linear: `arrayMap(i -> 1 / n, ${idx})`,
    time_decay: `arrayMap(w -> w / arraySum(${decayRaw}), ${decayRaw})`,
    position_based: `arrayMap(i -> multiIf(n = 1, 1.,
        n = 2, if(${pf} + ${pl} > 0, if(i = 1, ${pf}, ${pl}) / (${pf} + ${pl}), 0.5),
        i = 1, ${pf}, i = n, ${pl}, (1 - ${pf} - ${pl}) / (n - 2)), ${idx})`,
  };
  const ones = RULE_MODELS.map(() => '1.');
  // Items are grouped by numbers, not strings: a channel is its code (0: (none) in model rows), a Markov
  // state its code too (0 start, 1–8 channels, 30 conversion, 31 null); by campaign, the campaign (model
  // rows) or the whole state text (transitions) goes in the string fields, empty otherwise.
  const stateText = (x: string) => `concat(${name(x)}, ' / ', ${x}.3)`;
  const seq = byCampaign ? `arrayMap(x -> ${stateText('x')}, path)` : `arrayMap(x -> x.2, path)`;
  const startState = byCampaign ? `'${START}'` : 'toUInt8(0)';
  const endState = byCampaign ? `if(converted = 1, '${CONVERSION}', '${NULL_STATE}')` : 'toUInt8(if(converted = 1, 30, 31))';
  const transition = byCampaign ? `(toUInt8(1), toUInt8(0), toUInt8(0), t.1, t.2, [1.])` : `(toUInt8(1), t.1, t.2, '', '', [1.])`;
  // Output items of a journey: model rows of a conversion (one per touch, or (none)), then transitions.
  const items = `arrayConcat(
      if(converted = 0, [], if(n = 0, [(toUInt8(0), toUInt8(0), toUInt8(0), '', '', [${[...ones.map(() => 'rev'), ...ones].join(', ')}])],
        arrayMap(i -> (toUInt8(0), path[i].2, toUInt8(0), ${byCampaign ? 'path[i].3' : `''`}, '', [${RULE_MODELS.map((m) => `w_${m}[i] * rev`).join(', ')}, ${RULE_MODELS.map((m) => `w_${m}[i]`).join(', ')}]), ${idx}))),
      if(n = 0, [], arrayMap(t -> ${transition},
        arrayZip(arrayPushFront(seq, ${startState}), arrayPushBack(seq, ${endState})))))`;
  const stateName = (c: string) => `multiIf(${c} = 0, '${START}', ${c} = 30, '${CONVERSION}', ${c} = 31, '${NULL_STATE}', ${channelNameSql(c)})`;
  const sql = `WITH ${RATES_ARRAYS_SQL} AS rates
    SELECT kind,
      if(kind = 0, if(ac = 0, '(none)', ${channelNameSql('ac')}), if(sa != '', sa, ${stateName('ac')})) AS a,
      if(kind = 0, sa, if(sb != '', sb, ${stateName('bc')})) AS b,
      v
    FROM (
      SELECT it.1 AS kind, it.2 AS ac, it.3 AS bc, it.4 AS sa, it.5 AS sb, sumForEach(it.6) AS v
      FROM (
        SELECT arrayJoin(${items}) AS it
        FROM (
          SELECT j.1 AS converted, j.2 AS rev, j.3 AS cts, j.4 AS path, length(path) AS n, ${seq} AS seq,
            ${RULE_MODELS.map((m) => `if(converted = 1, ${weights[m]}, []) AS w_${m}`).join(',\n            ')}
          FROM (${journeys}) ARRAY JOIN js AS j
        )
      )
      GROUP BY kind, ac, bc, sa, sb
    )
    ORDER BY kind, a, b`;
  return { definition: def, sql, params: p.values };
}
