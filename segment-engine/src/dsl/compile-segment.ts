import {
  COMPUTED_TRAITS, EVENT_COLUMNS, conditionSchema, definitionIssues,
  type Condition, type ComputedTraitName, type DefinitionIssue, type EventCondition, type FunnelCondition, type PropertyFilter,
} from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { currentVersionSql, personEventCountsSql, personEventsSql, personsWithEventsSql } from '../sql/person-sql.js';
import { compareSql, jsonTarget } from './compare-sql.js';
import { QueryParams, toClickHouseTime } from './query-params.js';

export interface CompileOptions {
  /** "Now" for `within_days` and `days_since_*` (tests pin it). */
  now?: Date;
  /** Path prefix of the definition in the request body, for error paths. */
  pathPrefix?: string;
}

export interface CompiledSegment {
  /** A predicate over `p`, the current `person_traits` row of a person. */
  where: string;
  params: Record<string, unknown>;
  /** Segment ids this definition refers to (their materialized membership is read). */
  segmentRefs: string[];
}

const DAY_MS = 86_400_000;

/** SQL expression of each computed trait over `p` (the allow-list: nothing else reaches SQL). */
function computedExpr(name: ComputedTraitName, now: string): string {
  switch (name) {
    case 'days_since_last_order': return `dateDiff('day', p.last_order_at, ${now})`;
    case 'days_since_last_seen': return `dateDiff('day', p.last_seen, ${now})`;
    case 'discount_share': return `if(p.orders_count > 0, p.discount_orders / p.orders_count, 0)`;
    default: return `p.${name}`;
  }
}

/**
 * Validated DSL → a SQL predicate with bound parameters. Parse with zod first (unknown operators,
 * wrong shapes, names with quotes), then check what zod cannot (value types against the trait's
 * type, funnel step numbers). Any problem throws DefinitionError naming each path; nothing runs.
 */
export function compileSegment(input: unknown, options: CompileOptions = {}): CompiledSegment {
  const prefix = options.pathPrefix ?? '';
  const parsed = conditionSchema.safeParse(input);
  if (!parsed.success) throw new DefinitionError(definitionIssues(parsed.error).map((i) => ({ ...i, path: join(prefix, i.path) })));
  const params = new QueryParams();
  const now = params.named('now', toClickHouseTime(options.now ?? new Date()), "DateTime64(3, 'UTC')");
  const issues: DefinitionIssue[] = [];
  const segmentRefs = new Set<string>();

  const visit = (c: Condition, path: string): string => {
    switch (c.type) {
      case 'and':
      case 'or':
        return `(${c.conditions.map((x, i) => visit(x, join(path, `conditions.${i}`))).join(c.type === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `NOT (${visit(c.condition, join(path, 'condition'))})`;
      case 'trait':
        return compareSql(jsonTarget('p.traits', c.trait, params), c.op, c.value, params, path, issues);
      case 'computed': {
        const type = COMPUTED_TRAITS[c.trait];
        return compareSql({ type, expr: computedExpr(c.trait, now) }, c.op, c.value, params, path, issues);
      }
      case 'event':
        return eventSql(c, path);
      case 'funnel':
        return funnelSql(c, path);
      case 'tag':
        return `p.person_id IN (SELECT person_id FROM person_tags WHERE version = ${currentVersionSql('tags')} AND tag = ${params.add(c.tag, 'String')})`;
      case 'segment': {
        segmentRefs.add(c.segment);
        const id = params.add(c.segment, 'String');
        return `p.person_id IN (SELECT person_id FROM segment_members WHERE segment_id = ${id} AND version = (SELECT max(version) FROM segment_refreshes WHERE segment_id = ${id}))`;
      }
    }
  };

  const filtersSql = (where: PropertyFilter[] | undefined, path: string, columns: Set<string>): string[] =>
    (where ?? []).map((f, i) => {
      const at = join(path, `where.${i}`);
      if (f.column) {
        columns.add(f.column);
        return compareSql({ type: EVENT_COLUMNS[f.column], expr: f.column }, f.op, f.value, params, at, issues);
      }
      columns.add('properties');
      return compareSql(jsonTarget('properties', f.property!, params, { textPrefilter: true }), f.op, f.value, params, at, issues);
    });

  const timeSql = (c: { within_days?: number | undefined; between?: { from: string; to: string } | undefined }, path: string): string[] => {
    const out: string[] = [];
    if (c.within_days !== undefined) out.push(`timestamp >= ${now} - toIntervalDay(${params.add(c.within_days, 'UInt32')})`);
    if (c.between) {
      try {
        const from = toClickHouseTime(c.between.from);
        const to = toClickHouseTime(c.between.to);
        if (from > to) issues.push({ path: join(path, 'between'), message: '"from" is after "to"' });
        out.push(`timestamp >= ${params.add(from, "DateTime64(3, 'UTC')")}`, `timestamp <= ${params.add(to, "DateTime64(3, 'UTC')")}`);
      } catch {
        issues.push({ path: join(path, 'between'), message: 'not a valid date' });
      }
    }
    return out;
  };

  const eventSql = (c: EventCondition, path: string): string => {
    const conds = [`event = ${params.add(c.event, 'String')}`, ...timeSql(c, path), ...filtersSql(c.where, path, new Set())];
    let mode: 'in' | 'not_in';
    let having: string;
    if (c.did === false) {
      if (c.count) issues.push({ path: join(path, 'count'), message: '"count" cannot be combined with "did": false (use count at_most 0)' });
      mode = 'not_in';
      having = 'sum(n) >= 1';
    } else {
      const { op, value } = c.count ?? { op: 'at_least', value: 1 };
      if (op === 'at_least' && value === 0) return '1';
      if (op === 'at_least') [mode, having] = ['in', value === 1 ? 'sum(n) >= 1' : `sum(n) >= ${params.add(value, 'UInt64')}`];
      else if (op === 'at_most') [mode, having] = ['not_in', value === 0 ? 'sum(n) >= 1' : `sum(n) > ${params.add(value, 'UInt64')}`];
      else if (value === 0) [mode, having] = ['not_in', 'sum(n) >= 1'];
      else [mode, having] = ['in', `sum(n) = ${params.add(value, 'UInt64')}`];
    }
    // Existence only (did / did not, at least 1, at most 0): the persons of the matching events.
    // Otherwise counted per identifier first (a UInt64 key), then summed per person.
    const sub = having === 'sum(n) >= 1'
      ? personsWithEventsSql(conds.join(' AND '))
      : `SELECT person_id FROM (${personEventCountsSql(conds.join(' AND '))}) GROUP BY person_id HAVING ${having}`;
    return `p.person_id ${mode === 'in' ? 'IN' : 'NOT IN'} (${sub})`;
  };

  const funnelSql = (c: FunnelCondition, path: string): string => {
    if (c.reached > c.steps.length) {
      issues.push({ path: join(path, 'reached'), message: `must be at most the number of steps (${c.steps.length})` });
      return '0';
    }
    const columns = new Set<string>(['timestamp', 'event']);
    const stepSql = c.steps.map((s, i) =>
      [`event = ${params.add(s.event, 'String')}`, ...filtersSql(s.where, join(path, `steps.${i}`), columns)].join(' AND '),
    );
    const names = params.add([...new Set(c.steps.map((s) => s.event))], 'Array(String)');
    // window_days is a validated integer; aggregate-function parameters cannot be bound.
    const windowMs = Math.trunc(c.window_days) * DAY_MS;
    const rows = personEventsSql([...columns], [`event IN ${names}`, ...timeSql(c, path)].join(' AND '));
    const levels = `SELECT person_id, windowFunnel(${windowMs})(toUInt64(toUnixTimestamp64Milli(timestamp)), ${stepSql.map((s) => `(${s})`).join(', ')}) AS level FROM (${rows}) GROUP BY person_id`;
    return `p.person_id IN (SELECT person_id FROM (${levels}) WHERE level = ${params.add(c.reached, 'UInt8')})`;
  };

  const where = visit(parsed.data, prefix);
  if (issues.length) throw new DefinitionError(issues);
  return { where, params: params.values, segmentRefs: [...segmentRefs] };
}

function join(prefix: string, path: string): string {
  return prefix && path ? `${prefix}.${path}` : prefix || path;
}

/** The current persons (`p`) that match. */
export function matchingPersonsSql(compiled: CompiledSegment): string {
  return `SELECT p.person_id AS person_id FROM (SELECT * FROM person_traits WHERE version = ${currentVersionSql('traits')}) AS p WHERE ${compiled.where}`;
}
