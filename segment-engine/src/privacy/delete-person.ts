import type { ClickHouseClient } from '@clickhouse/client';
import { eventParams, exactEventsOfIdentifiersSql, type PersonRef } from '../profiles/find-person.js';

/**
 * Right to erasure: every identifier of the person goes on the suppression list (identity resolution
 * skips them, and events that arrive later are purged by each refresh), and their events, edges,
 * traits, tags, memberships, profile snapshots and event timeline rows are deleted now (lightweight deletes).
 */
export async function deletePerson(client: ClickHouseClient, person: PersonRef): Promise<{ identifiers: number }> {
  const pid = person.personId;
  await client.insert({ table: 'suppressed_identifiers', values: person.identifiers.map((identifier) => ({ identifier, person_id: pid })), format: 'JSONEachRow' });
  const params = { ...eventParams(person.identifiers), ids: person.identifiers, pid };
  // First the profile snapshots: lookups read them without checking the suppression list. Also every
  // row that has one of the identifiers: the snapshot can be older than the identity map this person
  // comes from (an identifier merged into it since was another person's in the snapshot).
  await client.command({
    query: `DELETE FROM person_profiles WHERE person_id = {pid:UInt64}
      OR has(arrayMap(k -> cityHash64(k), {ids:Array(String)}), key_hash) OR hasAny(identifiers, {ids:Array(String)})`,
    query_params: params,
  });
  await client.command({ query: `DELETE FROM events WHERE ${exactEventsOfIdentifiersSql()}`, query_params: params });
  for (const table of ['person_event_timeline', 'person_event_timeline_keys']) {
    await client.command({ query: `DELETE FROM ${table} WHERE has(arrayMap(k -> cityHash64(k), {ids:Array(String)}), key_hash)`, query_params: params });
  }
  await restoreEventProjections(client);
  await client.command({ query: 'DELETE FROM identity_edges WHERE identifier_a IN {ids:Array(String)} OR identifier_b IN {ids:Array(String)}', query_params: params });
  await client.command({ query: 'DELETE FROM identity_map WHERE person_id = {pid:UInt64}', query_params: params });
  for (const table of ['person_traits', 'person_tags', 'segment_members', 'person_event_timeline_stale']) {
    await client.command({ query: `DELETE FROM ${table} WHERE person_id = {pid:UInt64}`, query_params: params });
  }
  return { identifiers: person.identifiers.length };
}

/**
 * Gets the `events` projection `by_identifier` back after a lightweight delete (migration 0013): the
 * delete dropped it from the parts it touched (their reads fall back to the table: correct, only
 * slower), so the deleted rows are removed for good and the projection rebuilt from what is left. Both
 * run as background mutations, in this order (`mutations_sync = 0`: chDB's default is to wait, about a
 * minute per ten million events); nothing waits for them, except a later lightweight delete, which
 * queues behind them.
 */
async function restoreEventProjections(client: ClickHouseClient): Promise<void> {
  await client.command({ query: 'ALTER TABLE events APPLY DELETED MASK SETTINGS mutations_sync = 0' });
  await client.command({ query: 'ALTER TABLE events MATERIALIZE PROJECTION by_identifier SETTINGS mutations_sync = 0' });
}

/** Deletes events of suppressed identifiers that arrived after the person was deleted. */
export async function purgeSuppressedEvents(client: ClickHouseClient): Promise<void> {
  const rs = await client.query({ query: 'SELECT count() AS n FROM suppressed_identifiers', format: 'JSONEachRow' });
  if (Number((await rs.json<{ n: string }>())[0]!.n) === 0) return;
  const where = `(user_id != '' AND concat('u:', user_id) IN (SELECT identifier FROM suppressed_identifiers))
      OR (anonymous_id != '' AND concat('a:', anonymous_id) IN (SELECT identifier FROM suppressed_identifiers))`;
  // Only when there is something to purge: every delete costs the touched parts their projection.
  const found = await client.query({ query: `SELECT count() AS n FROM events WHERE ${where}`, format: 'JSONEachRow' });
  if (Number((await found.json<{ n: string }>())[0]!.n) === 0) return;
  await client.command({ query: `DELETE FROM events WHERE ${where}` });
  await restoreEventProjections(client);
}

/** Right of access: every stored row about the person, as JSON. */
export async function exportPerson(client: ClickHouseClient, person: PersonRef): Promise<{ personId: string; identifiers: string[]; events: Record<string, unknown>[] }> {
  const rs = await client.query({
    query: `SELECT * FROM events WHERE ${exactEventsOfIdentifiersSql()} ORDER BY timestamp`,
    query_params: eventParams(person.identifiers),
    format: 'JSONEachRow',
  });
  const events = (await rs.json<Record<string, unknown>>()).map((e) => ({
    ...e,
    properties: JSON.parse(String(e.properties ?? '{}')) as unknown,
    traits: JSON.parse(String(e.traits ?? '{}')) as unknown,
    context: JSON.parse(String(e.context ?? '{}')) as unknown,
  }));
  return { personId: person.personId, identifiers: person.identifiers, events };
}
