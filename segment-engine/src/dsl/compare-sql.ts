import type { ComparisonOperator } from '@sextant/schemas';
import type { DefinitionIssue } from '@sextant/schemas';
import { QueryParams, toClickHouseTime } from './query-params.js';

export type ValueType = 'string' | 'number' | 'date' | 'array' | 'json';
type Value = string | number | boolean | (string | number)[] | undefined;

const ORDERING: Partial<Record<ComparisonOperator, string>> = { eq: '=', neq: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * `expr <op> value` for a typed expression; the value is always a bound parameter. For `json`
 * (a trait or property path), `extract(kind)` gives the typed extraction and `has` the existence test.
 * Returns the SQL, or pushes an issue at `path` and returns `0`.
 */
export function compareSql(
  target: { type: Exclude<ValueType, 'json'>; expr: string } | JsonTarget,
  op: ComparisonOperator,
  value: Value,
  params: QueryParams,
  path: string,
  issues: DefinitionIssue[],
): string {
  const fail = (message: string, at = 'value') => {
    issues.push({ path: `${path}.${at}`, message });
    return '0';
  };
  if (op === 'exists' || op === 'not_exists') {
    if (value !== undefined) return fail(`"${op}" takes no value`);
    const test =
      target.type === 'json' ? target.has
      : target.type === 'array' ? `notEmpty(${target.expr})`
      : target.type === 'string' ? `${target.expr} != ''`
      : `isNotNull(${target.expr})`;
    return op === 'exists' ? test : `NOT (${test})`;
  }
  if (value === undefined) return fail(`"${op}" needs a value`);

  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(value)) return fail(`"${op}" needs an array of values`);
    const strings = value.every((v) => typeof v === 'string');
    const numbers = value.every((v) => typeof v === 'number');
    if (!strings && !numbers) return fail('the values of "in" must be all strings or all numbers');
    let sql: string;
    if (target.type === 'array') {
      if (!strings) return fail('this trait holds strings');
      sql = `hasAny(${target.expr}, ${params.add(value, 'Array(String)')})`;
    } else if (target.type === 'json') {
      sql = strings
        ? withTextPrefilter(target, value as string[], `${target.extract('String')} IN ${params.add(value, 'Array(String)')}`, params)
        : `${target.extract('Float')} IN ${params.add(value, 'Array(Float64)')}`;
    } else if (target.type === 'string') {
      if (!strings) return fail('this field holds text: compare with strings');
      sql = `${target.expr} IN ${params.add(value, 'Array(String)')}`;
    } else if (target.type === 'number') {
      if (!numbers) return fail('this field is a number: compare with numbers');
      sql = `${target.expr} IN ${params.add(value, 'Array(Float64)')}`;
    } else return fail(`"${op}" does not apply to dates`, 'op');
    return op === 'in' ? sql : `NOT (${sql})`;
  }
  if (Array.isArray(value)) return fail(`"${op}" needs a single value, not an array`);

  if (op === 'contains' || op === 'not_contains' || op === 'starts_with') {
    if (typeof value !== 'string') return fail(`"${op}" needs a string`);
    let sql: string;
    if (target.type === 'array') {
      if (op === 'starts_with') return fail('"starts_with" does not apply to lists', 'op');
      sql = `has(${target.expr}, ${params.add(value, 'String')})`;
    } else if (target.type === 'string' || target.type === 'json') {
      const expr = target.type === 'json' ? target.extract('String') : target.expr;
      sql = op === 'starts_with' ? `startsWith(${expr}, ${params.add(value, 'String')})` : `positionCaseInsensitiveUTF8(${expr}, ${params.add(value, 'String')}) > 0`;
    } else return fail(`"${op}" applies to text and lists only`, 'op');
    return op === 'not_contains' ? `NOT (${sql})` : sql;
  }

  const sym = ORDERING[op]!;
  switch (target.type) {
    case 'number':
      if (typeof value !== 'number') return fail('this field is a number: compare with a number');
      return `${target.expr} ${sym} ${params.add(value, 'Float64')}`;
    case 'string':
      if (typeof value !== 'string') return fail('this field holds text: compare with a string');
      return `${target.expr} ${sym} ${params.add(value, 'String')}`;
    case 'date': {
      if (typeof value !== 'string') return fail('this field is a date: compare with an ISO date string');
      let time: string;
      try {
        time = toClickHouseTime(value);
      } catch {
        return fail('not a valid date');
      }
      return `${target.expr} ${sym} ${params.add(time, "DateTime64(3, 'UTC')")}`;
    }
    case 'array':
      return fail(`"${op}" does not apply to lists: use contains, in or exists`, 'op');
    case 'json':
      if (typeof value === 'number') return `${target.extract('Float')} ${sym} ${params.add(value, 'Float64')}`;
      if (typeof value === 'boolean') {
        if (op !== 'eq' && op !== 'neq') return fail(`"${op}" does not apply to true/false`, 'op');
        return `${target.extract('Bool')} ${sym} ${params.add(value, 'Bool')}`;
      }
      const sql = `${target.extract('String')} ${sym} ${params.add(value, 'String')}`;
      return op === 'eq' ? withTextPrefilter(target, [value], sql, params) : sql;
  }
}

export interface JsonTarget {
  type: 'json';
  extract: (as: 'String' | 'Float' | 'Bool') => string;
  has: string;
  /** The JSON text column, when a cheap substring test may run before the parse (see withTextPrefilter). */
  text?: string;
}

/** Characters JSON writes escaped (or may: `/`); a value with none of them appears verbatim unless `\u` escapes are used. */
const NEEDS_ESCAPE = /["\\/\u0000-\u001f]/;

/**
 * Parsing JSON text is the cost of a property filter (every candidate event's `properties`). When the
 * wanted strings are non-empty and hold no character JSON escapes, a string value equal to one of them
 * is in the text as `"value"`, unless the writer used `\u` escapes: so a row can only match if its text
 * holds one of those needles or `\u` at all, which one substring search (multiSearchAny) tells before
 * the parse. Exact: it only skips rows that cannot match.
 */
function withTextPrefilter(target: JsonTarget, values: string[], sql: string, params: QueryParams): string {
  if (!target.text || values.length === 0 || values.some((v) => v === '' || NEEDS_ESCAPE.test(v))) return sql;
  const needles = [...values.map((v) => `"${v}"`), '\\u'];
  return `(multiSearchAny(${target.text}, ${params.add(needles, 'Array(String)')}) AND ${sql})`;
}

/**
 * A JSON path (`address.country`) as bound key arguments of JSONExtract*: never pasted as text.
 * `textPrefilter`: string equality / `in` tests first look for the value in the raw text.
 */
export function jsonTarget(column: string, path: string, params: QueryParams, options: { textPrefilter?: boolean } = {}): JsonTarget {
  const keys = path.split('.').map((k) => params.add(k, 'String')).join(', ');
  return {
    type: 'json' as const,
    extract: (as: 'String' | 'Float' | 'Bool') => `JSONExtract${as}(${column}, ${keys})`,
    has: `JSONHas(${column}, ${keys})`,
    ...(options.textPrefilter ? { text: column } : {}),
  };
}
