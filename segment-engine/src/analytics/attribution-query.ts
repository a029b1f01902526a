import { attributionDefinitionSchema, type AttributionDefinition, type AttributionDefinitionInput } from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { QueryParams } from '../dsl/query-params.js';
import { personEventsSql } from '../sql/person-sql.js';
import { CHANNEL_COLUMNS, CHANNEL_SQL, chTime } from './channel-sql.js';
import { CONVERSION, NULL_STATE, START } from './markov.js';

export interface BuiltAttributionQuery {
  definition: AttributionDefinition;
  /** Rule-based models side by side: one row per (channel, campaign) with `rev_<model>` and `conv_<model>`. */
  modelsSql: string;
  /** Markov transition counts (`from`, `to`, `count`) over touched conversions and non-converting journeys. */
  transitionsSql: string;
  params: Record<string, unknown>;
}

/** Latest units-per-USD rate of each currency (no row: taken as 1). */
export const LATEST_RATES_SQL = `(SELECT currency, argMax(usd_rate, date) AS usd_rate FROM exchange_rates GROUP BY currency)`;

/** A touch: a page view that starts a session or carries campaign data / a click id, or a named touch event. */
function touchWhere(names: string): string {
  return `((type = 'page' AND (utm_source != '' OR utm_medium != '' OR fbclid != '' OR gclid != '' OR ttclid != '' OR msclkid != ''
      OR position(context, '"sessionStart":true') > 0)) OR (type = 'track' AND event IN ${names}))`;
}

/**
 * Attribution in SQL. Each conversion (the conversion event in [from, to), revenue in USD at the latest
 * rate) gets its person's touches in [conversion − lookback, conversion], ordered by time (ties by
 * channel, campaign); the weights of every rule-based model are arrays over that path, expanded with
 * one ARRAY JOIN and summed per channel (and campaign). A conversion with no touch goes to `(none)`
 * in every model, so each model's column adds up to the total.
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
  const campaignExpr = def.group_by === 'campaign' ? `if(utm_campaign = '', '(none)', utm_campaign)` : `''`;

  const touchCols = new Set<string>(['timestamp', 'type', 'event', 'context', 'utm_campaign', 'msclkid', ...CHANNEL_COLUMNS]);
  const touches = `SELECT person_id, groupArray((toUInt64(toUnixTimestamp64Milli(timestamp)), ${CHANNEL_SQL}, ${campaignExpr})) AS touches
    FROM (${personEventsSql([...touchCols], `${touchWhere(names)} AND timestamp >= ${from} - toIntervalMillisecond(${lookback}) AND timestamp < ${to}`)})
    GROUP BY person_id`;
  const conversions = `SELECT ce.person_id AS person_id, toUInt64(toUnixTimestamp64Milli(ce.timestamp)) AS cts,
      ifNull(ce.revenue, 0) / if(r.usd_rate > 0, r.usd_rate, 1) AS rev
    FROM (${personEventsSql(['timestamp', 'revenue', 'currency'], `event = ${conv} AND timestamp >= ${from} AND timestamp < ${to}`)}) AS ce
    LEFT ANY JOIN ${LATEST_RATES_SQL} AS r ON r.currency = ce.currency`;
  const paths = `SELECT c.person_id AS person_id, c.cts AS cts, c.rev AS rev,
      arraySort(x -> x, arrayFilter(x -> x.1 <= c.cts AND x.1 + ${lookback} >= c.cts, t.touches)) AS path, length(path) AS n
    FROM (${conversions}) AS c LEFT ANY JOIN (${touches}) AS t ON t.person_id = c.person_id`;

  const idx = 'range(1, n + 1)';
  const lndIndex = `if(arrayExists(x -> x.2 != 'direct', path), arrayLastIndex(x -> x.2 != 'direct', path), n)`;
  const decayRaw = `arrayMap(x -> pow(2, -(toFloat64(cts) - toFloat64(x.1)) / ${half}), path)`;
  const weights: Record<string, string> = {
    first_touch: `arrayMap(i -> toFloat64(i = 1), ${idx})`,
    last_touch: `arrayMap(i -> toFloat64(i = n), ${idx})`,
    last_non_direct: `arrayMap(i -> toFloat64(i = ${lndIndex}), ${idx})`,
    linear: `arrayMap(i -> 1 / n, ${idx})`,
    time_decay: `arrayMap(w -> w / arraySum(${decayRaw}), ${decayRaw})`,
    position_based: `arrayMap(i -> multiIf(n = 1, 1.,
        n = 2, if(${pf} + ${pl} > 0, if(i = 1, ${pf}, ${pl}) / (${pf} + ${pl}), 0.5),
        i = 1, ${pf}, i = n, ${pl}, (1 - ${pf} - ${pl}) / (n - 2)), ${idx})`,
  };
  const models = Object.keys(weights);
  const ones = models.map(() => '1.').join(', ');
  const expanded = `SELECT rev, arrayJoin(if(n = 0, [('(none)', '', ${ones})],
      arrayMap(i -> (path[i].2, path[i].3, ${models.map((m) => `w_${m}[i]`).join(', ')}), ${idx}))) AS e
    FROM (SELECT rev, n, path, ${models.map((m) => `${weights[m]} AS w_${m}`).join(', ')} FROM (${paths}))`;
  const modelsSql = `SELECT e.1 AS channel, e.2 AS campaign,
      ${models.map((m, i) => `sum(e.${i + 3} * rev) AS rev_${m}, sum(e.${i + 3}) AS conv_${m}`).join(',\n      ')}
    FROM (${expanded}) GROUP BY channel, campaign ORDER BY channel, campaign`;

  // Markov: each touched conversion is a journey ending in (conversion); each person with touches in
  // [from, to) and no conversion there is a journey ending in (null).
  const state = (x: string) => (def.group_by === 'campaign' ? `concat(${x}.2, ' / ', ${x}.3)` : `${x}.2`);
  const journeys = `SELECT arrayMap(x -> ${state('x')}, path) AS seq, '${CONVERSION}' AS end FROM (${paths}) WHERE n > 0
    UNION ALL
    SELECT arrayMap(x -> ${state('x')}, arraySort(x -> x, arrayFilter(x -> x.1 >= toUInt64(toUnixTimestamp64Milli(${from})), touches))) AS seq, '${NULL_STATE}' AS end
    FROM (${touches}) WHERE person_id NOT IN (SELECT person_id FROM (${conversions})) AND length(seq) > 0`;
  const transitionsSql = `SELECT tr.1 AS from, tr.2 AS to, count() AS count
    FROM (SELECT arrayJoin(arrayZip(arrayPushFront(seq, '${START}'), arrayPushBack(seq, end))) AS tr FROM (${journeys}))
    GROUP BY from, to ORDER BY from, to`;
  return { definition: def, modelsSql, transitionsSql, params: p.values };
}
