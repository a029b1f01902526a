/**
 * SQL fragments shared by every query that turns events into persons. Nothing here takes user input.
 */

/** The identifier an event belongs to: its userId when it has one, else its anonymous id. */
export const EVENT_KEY_SQL = `if(user_id != '', concat('u:', user_id), concat('a:', anonymous_id))`;

export type VersionedKind = 'identity' | 'traits' | 'tags' | 'profiles' | 'timeline';

/** The current version of a versioned table (0 before the first refresh: nothing matches). */
export function currentVersionSql(kind: VersionedKind): string {
  return `(SELECT max(version) FROM engine_runs WHERE kind = '${kind}')`;
}

/** The current identifier → person mapping (identifiers with an edge only). */
export const PERSON_MAP_SQL = `(SELECT identifier, person_id FROM identity_map WHERE version = ${currentVersionSql('identity')})`;

/** The person of a key whose mapping row was LEFT JOINed as `m` (no row: the key is its own person). */
export function personOfKeySql(keyExpr: string, mapAlias = 'm'): string {
  return `if(${mapAlias}.person_id != 0, ${mapAlias}.person_id, cityHash64(${keyExpr}))`;
}

/** Identifiers of deleted persons: their events are ignored until purged. */
export const SUPPRESSED_SQL = `(SELECT identifier FROM suppressed_identifiers)`;

/**
 * Identifiers that belong to another identifier's person (`identifier != canonical`), by the hash of the
 * identifier: the only rows an event must be joined with. Every other identifier is its own canonical
 * or has no edge, and then its person id is `cityHash64(identifier)`, which is the event's `key_hash`
 * (migration 0031). A join on UInt64 against this set is far cheaper than on the identifier strings
 * against the whole map (1M shoppers / 13.5M events: ~3x on a 2.5M-event condition). `identityVersion`:
 * an SQL expression or a bound parameter.
 */
export function movedIdentifierHashesSql(identityVersion: string): string {
  return `(SELECT cityHash64(identifier) AS key_hash, person_id FROM identity_map
  WHERE version = ${identityVersion} AND identifier != canonical)`;
}

/** `movedIdentifierHashesSql` of the current identity version. */
export const MOVED_IDENTIFIER_HASHES_SQL = movedIdentifierHashesSql(currentVersionSql('identity'));

/** Hashes of the identifiers of deleted persons. */
export const SUPPRESSED_HASHES_SQL = `(SELECT cityHash64(identifier) FROM suppressed_identifiers)`;

/** Events of `where` that are not suppressed, with their `key_hash` and `columns` (`expr AS name` allowed). */
function eventKeysSql(columns: readonly string[], where: string): string {
  return `SELECT key_hash${columns.length ? `, ${columns.join(', ')}` : ''} FROM events
    WHERE (${where}) AND key_hash NOT IN ${SUPPRESSED_HASHES_SQL}`;
}

/** The name a `columns` entry of `personEventsSql` has in its output (`expr AS name` → name). */
function outputName(column: string): string {
  const as = column.lastIndexOf(' AS ');
  return as < 0 ? column : column.slice(as + 4).trim();
}

/**
 * Events (only `columns`) with the person each belongs to, filtered by `where` (over events columns)
 * before the join, so only matching rows meet the (moved) identity map. A column may be an expression
 * over events columns (`expr AS name`), computed in the scan: reducing wide JSON text to the values a
 * query needs there keeps the text out of the join (1M shoppers / 19.9M events: ~20% of the traits
 * refresh was copying `context`, `properties` and `traits` through it).
 */
export function personEventsSql(columns: readonly string[], where: string): string {
  const cols = columns.map(outputName).map((c) => `e.${c} AS ${c}`).join(', ');
  return `SELECT if(m.person_id != 0, m.person_id, e.key_hash) AS person_id${cols ? `, ${cols}` : ''}
    FROM (${eventKeysSql(columns, where)}) AS e
    LEFT ANY JOIN ${MOVED_IDENTIFIER_HASHES_SQL} AS m ON m.key_hash = e.key_hash`;
}

/** Per person: `n`, the number of events of `where` of one of its identifiers (sum them per person). */
export function personEventCountsSql(where: string): string {
  return `SELECT if(m.person_id != 0, m.person_id, e.key_hash) AS person_id, e.n AS n
    FROM (SELECT key_hash, count() AS n FROM (${eventKeysSql([], where)}) GROUP BY key_hash) AS e
    LEFT ANY JOIN ${MOVED_IDENTIFIER_HASHES_SQL} AS m ON m.key_hash = e.key_hash`;
}

/**
 * The persons with at least one event of `where` (with repeats: for `IN`, whose set removes them).
 * Cheaper than `personEventCountsSql` + `GROUP BY person_id HAVING sum(n) >= 1` when only existence
 * matters: no per-identifier and per-person aggregation of the matching events (1M shoppers / 19.9M
 * events, a 800K-event condition: ~5% of the segment preview's CPU).
 */
export function personsWithEventsSql(where: string): string {
  return `SELECT if(m.person_id != 0, m.person_id, e.key_hash) AS person_id
    FROM (${eventKeysSql([], where)}) AS e
    LEFT ANY JOIN ${MOVED_IDENTIFIER_HASHES_SQL} AS m ON m.key_hash = e.key_hash`;
}
