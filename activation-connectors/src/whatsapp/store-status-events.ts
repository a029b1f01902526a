import type { StateClient } from '../audiences/clickhouse-audience-state-store.js';
import { findMessageRecipients } from './message-log.js';
import { statusEventRow, WHATSAPP_STATUS_SOURCE_ID } from './status-event-rows.js';
import type { WhatsAppStatus } from './status-webhook.js';

export interface StoredStatuses {
  statuses: number;
  stored: number;
  /** Already stored (Meta redelivered the webhook). */
  duplicates: number;
  /** Messages Sextant did not send (or whose person has no identifier left): not stored. */
  unmatched: number;
}

/**
 * Writes each status as an event on its person, straight into `events` (the tracking API's write
 * keys and queue are not involved: the webhook is the source). A redelivered status is recognised by
 * its derived `message_id` and skipped; two deliveries of the same status racing each other could
 * both be stored, which only duplicates a status line on the timeline.
 */
export async function storeStatusEvents(client: StateClient, statuses: WhatsAppStatus[], receivedAtMs = Date.now()): Promise<StoredStatuses> {
  const result: StoredStatuses = { statuses: statuses.length, stored: 0, duplicates: 0, unmatched: 0 };
  if (statuses.length === 0) return result;
  const recipients = await findMessageRecipients(client, statuses.map((s) => {
    const m = /^sextant:([^:]+):(\d+)$/.exec(s.bizOpaqueCallbackData ?? '');
    return { wamid: s.wamid, phone: s.recipientId, ...(m ? { campaignHint: m[1]!, personIdHint: m[2]! } : {}) };
  }));
  const rows = new Map<string, ReturnType<typeof statusEventRow>>();
  for (const s of statuses) {
    const to = recipients.get(s.wamid);
    if (!to) {
      result.unmatched += 1;
      continue;
    }
    const row = statusEventRow(s, to, receivedAtMs);
    if (rows.has(row.message_id)) result.duplicates += 1;
    else rows.set(row.message_id, row);
  }
  if (rows.size === 0) return result;
  const existing = await client.query({
    query: `SELECT DISTINCT message_id FROM events WHERE source_id = {source:String} AND message_id IN {ids:Array(String)}`,
    query_params: { source: WHATSAPP_STATUS_SOURCE_ID, ids: [...rows.keys()] },
    format: 'JSONEachRow',
  });
  for (const { message_id } of await existing.json<{ message_id: string }>()) {
    if (rows.delete(message_id)) result.duplicates += 1;
  }
  if (rows.size > 0) await client.insert({ table: 'events', values: [...rows.values()], format: 'JSONEachRow' });
  result.stored = rows.size;
  return result;
}
