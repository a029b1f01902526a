import type { ClickHouseClient } from '@clickhouse/client';
import { normalizeEmail } from '../identity/identifier.js';
import { normalizePhone } from '../identity/normalize-phone.js';
import { EVENT_KEY_SQL, SUPPRESSED_SQL, currentVersionSql } from '../sql/person-sql.js';
import { readProfileSnapshot, type ProfileSnapshot } from './read-profile-snapshot.js';
import { eventParams, eventsOfIdentifiersSql } from './profile-read-sql.js';

export { eventParams, eventsOfIdentifiersSql, exactEventsOfIdentifiersSql } from './profile-read-sql.js';

export interface PersonRef {
  personId: string;
  /** Every identifier of the person (`u:`, `a:`, `e:`, `p:`). */
  identifiers: string[];
  /** The person's latest profile snapshot, when it was found through one (`loadProfile` then reads less). */
  snapshot?: ProfileSnapshot;
}

/**
 * The person any identifier belongs to: a userId, an anonymous id, an email, a phone number (any
 * notation), or an explicit `u:`/`a:`/`e:`/`p:` identifier. Undefined when nobody has it (or the person
 * was deleted). `recentEvents`: how many events a lookup through the snapshot reads with it (pass what
 * `loadProfile` will be asked for). `useSnapshot: false` skips the profile snapshot (privacy requests: during a refresh the
 * identity map is newer than the snapshot for a moment, and a delete must cover every identifier).
 */
export async function findPerson(
  client: ClickHouseClient, anyIdentifier: string, defaultRegion = 'US',
  { useSnapshot = true, recentEvents = 20 }: { useSnapshot?: boolean; recentEvents?: number } = {},
): Promise<PersonRef | undefined> {
  const candidates = candidateIdentifiers(anyIdentifier, defaultRegion);
  // Identifiers seen by a refresh: one query reads the snapshot and the person's `recentEvents` newest
  // events (what `loadProfile` shows). The rest (newer identifiers, or no snapshot written yet)
  // resolve through the tables below.
  const snapshotted = useSnapshot ? await readProfileSnapshot(client, candidates, recentEvents) : undefined;
  if (snapshotted) return snapshotted;
  // One query: the person of the first candidate that has a mapping row, and all of that person's
  // identifiers (the `idx_person_id` skip index of migration 0013 finds them without a scan).
  const rs = await client.query({
    query: `WITH ${currentVersionSql('identity')} AS v
      SELECT toString(person_id) AS pid, arraySort(groupArray(identifier)) AS identifiers
      FROM identity_map
      WHERE version = v AND person_id = (
        SELECT person_id FROM identity_map
        WHERE version = v AND identifier IN {ids:Array(String)} AND identifier NOT IN ${SUPPRESSED_SQL} LIMIT 1)
      GROUP BY person_id
      SETTINGS max_threads = 1`, // (alias pid: an alias named person_id would shadow the column in WHERE)
    query_params: { ids: candidates },
    format: 'JSONEachRow',
  });
  const mapped = (await rs.json<{ pid: string; identifiers: string[] }>())[0];
  if (mapped) return { personId: mapped.pid, identifiers: mapped.identifiers };
  // An identifier without edges is its own person (id cityHash64 of the identifier), if it has events.
  const keys = candidates.filter((c) => c.startsWith('u:') || c.startsWith('a:'));
  if (keys.length === 0) return undefined;
  // Every person with events at a refresh has a traits row (person id cityHash64 of the identifier): a
  // primary-key lookup (`has` over the hashes becomes a set the index uses) instead of reading `events`
  // (one range per part). Any version will do (a row says the identifier had events, and deleted persons
  // are suppressed), so no version subquery: each one costs chDB a few ms. Newer events fall through.
  const known = await client.query({
    query: `SELECT key, toString(person_id) AS person_id FROM (
        SELECT arrayFirst(k -> cityHash64(k) = person_id, {keys:Array(String)}) AS key, person_id FROM person_traits
        WHERE has(arrayMap(k -> cityHash64(k), {keys:Array(String)}), person_id)
      ) WHERE key NOT IN ${SUPPRESSED_SQL} LIMIT 1`,
    query_params: { keys },
    format: 'JSONEachRow',
  });
  const traitsRow = (await known.json<{ key: string; person_id: string }>())[0];
  if (traitsRow) return { personId: traitsRow.person_id, identifiers: [traitsRow.key] };
  const ev = await client.query({
    query: `SELECT key, toString(cityHash64(key)) AS person_id FROM (
        SELECT ${EVENT_KEY_SQL} AS key FROM events WHERE ${eventsOfIdentifiersSql()}
      ) WHERE key NOT IN ${SUPPRESSED_SQL} LIMIT 1`,
    query_params: eventParams(keys),
    format: 'JSONEachRow',
  });
  const own = (await ev.json<{ key: string; person_id: string }>())[0];
  return own ? { personId: own.person_id, identifiers: [own.key] } : undefined;
}

export function candidateIdentifiers(raw: string, defaultRegion: string): string[] {
  if (/^[uaep]:./.test(raw)) return [raw];
  const out = [`u:${raw}`, `a:${raw}`];
  const email = normalizeEmail(raw);
  if (email) out.push(`e:${email}`);
  if (/^[+\d(][\d\s().-]{5,}$/.test(raw)) {
    const phone = normalizePhone(raw, undefined, defaultRegion);
    if (phone) out.push(`p:${phone}`);
  }
  return out;
}
