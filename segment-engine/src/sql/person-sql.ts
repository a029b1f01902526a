/**
 * SQL fragments shared by every query that turns events into persons. Nothing here takes user input.
 */

/** The identifier an event belongs to: its userId when it has one, else its anonymous id. */
export const EVENT_KEY_SQL = `if(user_id != '', concat('u:', user_id), concat('a:', anonymous_id))`;

export type VersionedKind = 'identity' | 'traits' | 'tags';

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
 * Events (only `columns` and the key) with the person each belongs to, filtered by `where` (over
 * events columns) before the join, so only matching rows meet the identity map.
 */
export function personEventsSql(columns: readonly string[], where: string): string {
  const cols = columns.map((c) => `e.${c} AS ${c}`).join(', ');
  return `SELECT ${personOfKeySql('e.key')} AS person_id${cols ? `, ${cols}` : ''}
    FROM (SELECT ${EVENT_KEY_SQL} AS key${columns.length ? `, ${columns.join(', ')}` : ''} FROM events WHERE (${where})) AS e
    LEFT ANY JOIN ${PERSON_MAP_SQL} AS m ON m.identifier = e.key
    WHERE e.key NOT IN ${SUPPRESSED_SQL}`;
}
