import type { StateClient } from '../audiences/clickhouse-audience-state-store.js';

/** One sent message as the send log (`whatsapp_message_log`) keeps it, with the person's event identity. */
export interface LoggedMessage {
  wamid: string;
  /** The destination's `campaignId`. */
  campaign: string;
  /** The audience destination that sent it (unknown when only the callback data named the person). */
  destinationId: string;
  personId: string;
  /** The identifier status events are stored under: the person's userId, else an anonymousId. */
  userId: string;
  anonymousId: string;
  phone: string;
}

/**
 * Finds who got each message: the send log first (written when Meta accepted the send); for a
 * message it does not know, the person named in `biz_opaque_callback_data`. A person logged without
 * a userId gets one of their identifiers from the current identity map, so the event lands on the
 * profile (profiles list events by the person's userIds and anonymousIds).
 */
export async function findMessageRecipients(
  client: StateClient,
  messages: { wamid: string; personIdHint?: string; campaignHint?: string; phone: string }[],
): Promise<Map<string, LoggedMessage>> {
  const found = new Map<string, LoggedMessage>();
  if (messages.length === 0) return found;
  const rs = await client.query({
    query: `SELECT wamid, any(campaign) AS campaign, any(person_id) AS person_id, any(user_id) AS user_id, any(recipient_phone) AS phone
      FROM whatsapp_message_log WHERE wamid IN {ids:Array(String)} GROUP BY wamid`,
    query_params: { ids: [...new Set(messages.map((m) => m.wamid))] },
    format: 'JSONEachRow',
  });
  for (const r of await rs.json<{ wamid: string; campaign: string; person_id: string; user_id: string; phone: string }>()) {
    // The runner's campaign key is `<destination id>:<campaignId>` (destination ids have no colon).
    const cut = r.campaign.indexOf(':');
    found.set(r.wamid, { wamid: r.wamid, destinationId: cut > 0 ? r.campaign.slice(0, cut) : '', campaign: cut > 0 ? r.campaign.slice(cut + 1) : r.campaign,
      personId: r.person_id, userId: r.user_id, anonymousId: '', phone: r.phone });
  }
  for (const m of messages) {
    if (!found.has(m.wamid) && m.personIdHint && /^\d{1,20}$/.test(m.personIdHint)) {
      // Meta can report `sent` before the run has written its send log: the callback data names the person.
      found.set(m.wamid, { wamid: m.wamid, destinationId: '', campaign: m.campaignHint ?? '', personId: m.personIdHint, userId: '', anonymousId: '', phone: m.phone });
    }
  }
  const missing = [...new Set([...found.values()].filter((m) => m.userId === '').map((m) => m.personId))];
  if (missing.length > 0) {
    const ids = await client.query({
      // person ids are UInt64 (cityHash64): passed as strings, never through a JS number.
      query: `SELECT toString(person_id) AS pid,
          argMinIf(substring(identifier, 3), identifier, startsWith(identifier, 'u:')) AS user_id,
          argMinIf(substring(identifier, 3), identifier, startsWith(identifier, 'a:')) AS anonymous_id
        FROM identity_map
        WHERE version = (SELECT max(version) FROM engine_runs WHERE kind = 'identity')
          AND person_id IN arrayMap(x -> toUInt64(x), {pids:Array(String)})
        GROUP BY person_id`,
      query_params: { pids: missing },
      format: 'JSONEachRow',
    });
    const byPerson = new Map((await ids.json<{ pid: string; user_id: string; anonymous_id: string }>()).map((r) => [r.pid, r]));
    for (const m of found.values()) {
      const p = m.userId === '' ? byPerson.get(m.personId) : undefined;
      if (p) Object.assign(m, { userId: p.user_id, anonymousId: p.user_id ? '' : p.anonymous_id });
    }
  }
  // A person with no identity edge is not in the identity map: its profile traits may still name its userId.
  const unknown = [...new Set([...found.values()].filter((m) => !m.userId && !m.anonymousId).map((m) => m.personId))];
  if (unknown.length > 0) {
    const rs2 = await client.query({
      query: `SELECT toString(person_id) AS pid, JSONExtractString(traits, 'userId') AS user_id FROM person_traits
        WHERE version = (SELECT max(version) FROM engine_runs WHERE kind = 'traits') AND person_id IN arrayMap(x -> toUInt64(x), {pids:Array(String)})`,
      query_params: { pids: unknown },
      format: 'JSONEachRow',
    });
    const byPerson = new Map((await rs2.json<{ pid: string; user_id: string }>()).map((r) => [r.pid, r.user_id]));
    for (const m of found.values()) if (!m.userId && !m.anonymousId) m.userId = byPerson.get(m.personId) ?? '';
  }
  for (const [wamid, m] of found) if (!m.userId && !m.anonymousId) found.delete(wamid);
  return found;
}
