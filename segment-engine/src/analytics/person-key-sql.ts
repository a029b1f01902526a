import { MOVED_IDENTIFIER_HASHES_SQL, SUPPRESSED_HASHES_SQL } from '../sql/person-sql.js';
import { timelineMovedKeysSql } from './refresh-person-timeline.js';

/**
 * Events → persons for journey analytics, through the hashed key columns of migration 0031, on the
 * moved-identifier and suppressed-identifier sets of `sql/person-sql.ts` (whose `personEventsSql` gives
 * a plain filtered scan of `events` with its persons; this module serves scans of any shape).
 *
 * An event's `key_hash` is `cityHash64` of its identifier (`u:` userId, else `a:` anonymousId) and a
 * person id is `cityHash64` of the person's canonical identifier, so an identifier that is its own
 * canonical (or has no edge at all) already has `person_id = key_hash`. Only identifiers joined to
 * another one (`identifier != canonical`: mostly the anonymous ids of logged-in shoppers) need the
 * map: a join on UInt64 against that much smaller set. Nothing here takes user input.
 */

/** The person of a row that carries `key_hash`, with the moved-keys row LEFT JOINed as `m`. */
export const PERSON_OF_KEY_SQL = `if(m.person_id != 0, m.person_id, k.key_hash)`;

/**
 * Rows of `inner` (a SELECT that returns `key_hash` and other columns, e.g. events aggregated per key)
 * with the person each belongs to: `SELECT person_id, k.<columns>`.
 */
export function withPersonSql(inner: string, columns: readonly string[]): string {
  const cols = columns.map((c) => `k.${c} AS ${c}`).join(', ');
  return `SELECT ${PERSON_OF_KEY_SQL} AS person_id${cols ? `, ${cols}` : ''}
    FROM (${inner}) AS k LEFT ANY JOIN ${MOVED_IDENTIFIER_HASHES_SQL} AS m ON m.key_hash = k.key_hash`;
}

/** The events filter that drops deleted persons' events (AND it into the WHERE of a scan of `events`). */
export const NOT_SUPPRESSED_SQL = `key_hash NOT IN ${SUPPRESSED_HASHES_SQL}`;

/**
 * `SELECT person_id, <select>` for the events of `where` that are not suppressed (`select`: expressions
 * over events columns, each with an alias; `names`: those aliases), from `events` joined to the moved
 * identifiers. A query whose columns the person event timeline has (migration 0033) can read
 * `timelineRowsSql` and `newerEventRowsSql` instead (bind `timelineParams`).
 */
export function personRowsSql(select: string, names: readonly string[], where: string): string {
  return withPersonSql(eventsScanSql(select, where, ''), names);
}

/**
 * The timeline's rows of `where` (`SELECT person_id, <select>`): it has the person already and no
 * suppressed identifier's rows (left out when written, deleted with the person).
 */
export function timelineRowsSql(select: string, where: string): string {
  return `SELECT person_id, ${select} FROM person_event_timeline WHERE version = {tl_version:UInt64} AND (${where})`;
}

/**
 * The events of `where` stored after the timeline (`_block_number` above its watermark), joined to the
 * moved identifiers the timeline was written with (the rows of their keys only).
 *
 * Only the parts that can hold them are read: `_part IN` the parts whose highest block number is above
 * the watermark (a filter on `_block_number` alone read every part's column with the previous query
 * analyzer: ~55 ms per read at 20M events; the current one still reads more than this). The names come from `system.parts` within the query, outdated
 * parts included, so a merge at any moment cannot hide rows: the query reads the parts of its snapshot,
 * which are listed whether they are still active or merged away since.
 */
export function newerEventRowsSql(select: string, names: readonly string[], where: string): string {
  const cols = names.map((c) => `k.${c} AS ${c}`).join(', ');
  const newer = ` AND _part IN ${NEWER_PARTS_SQL} AND _block_number > {tl_watermark:UInt64}`;
  const scan = eventsScanSql(select, where, newer);
  const keys = `SELECT key_hash FROM events WHERE (${where})${newer}`;
  return `SELECT ${PERSON_OF_KEY_SQL} AS person_id, ${cols}
    FROM (${scan}) AS k LEFT ANY JOIN ${timelineMovedKeysSql(keys)} AS m ON m.key_hash = k.key_hash`;
}

const NEWER_PARTS_SQL = `(SELECT name FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND max_block_number > {tl_watermark:UInt64})`;

function eventsScanSql(select: string, where: string, extra: string): string {
  return `SELECT key_hash, ${select} FROM events WHERE (${where})${extra} AND ${NOT_SUPPRESSED_SQL}`;
}
