import type { ClickHouseClient } from '@clickhouse/client';
import { normalizeEmail } from '../identity/identifier.js';
import { normalizePhone } from '../identity/normalize-phone.js';
import { PERSON_MAP_SQL, SUPPRESSED_SQL } from '../sql/person-sql.js';

export interface PersonRef {
  personId: string;
  /** Every identifier of the person (`u:`, `a:`, `e:`, `p:`). */
  identifiers: string[];
}

/**
 * The person any identifier belongs to: a userId, an anonymous id, an email, a phone number (any
 * notation), or an explicit `u:`/`a:`/`e:`/`p:` identifier. Undefined when nobody has it (or the person
 * was deleted).
 */
export async function findPerson(client: ClickHouseClient, anyIdentifier: string, defaultRegion = 'US'): Promise<PersonRef | undefined> {
  const candidates = candidateIdentifiers(anyIdentifier, defaultRegion);
  const rs = await client.query({
    query: `SELECT toString(m.person_id) AS person_id FROM ${PERSON_MAP_SQL} AS m
      WHERE m.identifier IN {ids:Array(String)} AND m.identifier NOT IN ${SUPPRESSED_SQL} LIMIT 1`,
    query_params: { ids: candidates },
    format: 'JSONEachRow',
  });
  const mapped = (await rs.json<{ person_id: string }>())[0];
  if (mapped) {
    const ids = await client.query({
      query: `SELECT identifier FROM ${PERSON_MAP_SQL} WHERE person_id = {pid:UInt64} ORDER BY identifier`,
      query_params: { pid: mapped.person_id },
      format: 'JSONEachRow',
    });
    return { personId: mapped.person_id, identifiers: (await ids.json<{ identifier: string }>()).map((r) => r.identifier) };
  }
  // An identifier without edges is its own person, if it has events.
  const keys = candidates.filter((c) => c.startsWith('u:') || c.startsWith('a:'));
  const ev = await client.query({
    // One branch per column so each uses its bloom-filter index.
    query: `SELECT key, toString(cityHash64(key)) AS person_id FROM (
        SELECT concat('u:', user_id) AS key FROM events WHERE user_id IN {users:Array(String)}
        UNION ALL
        SELECT concat('a:', anonymous_id) AS key FROM events WHERE user_id = '' AND anonymous_id IN {anons:Array(String)}
      ) WHERE key IN {keys:Array(String)} AND key NOT IN ${SUPPRESSED_SQL} LIMIT 1`,
    query_params: {
      keys,
      users: keys.filter((k) => k.startsWith('u:')).map((k) => k.slice(2)),
      anons: keys.filter((k) => k.startsWith('a:')).map((k) => k.slice(2)),
    },
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

/** SQL condition on `events` for the events of these identifiers. */
export function eventsOfIdentifiersSql(): string {
  return `(user_id IN {users:Array(String)} OR (user_id = '' AND anonymous_id IN {anons:Array(String)}))`;
}

export function eventParams(identifiers: string[]): { users: string[]; anons: string[] } {
  return {
    users: identifiers.filter((k) => k.startsWith('u:')).map((k) => k.slice(2)),
    anons: identifiers.filter((k) => k.startsWith('a:')).map((k) => k.slice(2)),
  };
}
