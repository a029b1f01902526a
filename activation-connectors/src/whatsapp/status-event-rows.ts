import { formatClickHouseDateTime64, type EventRow } from '@sextant/schemas';
import type { LoggedMessage } from './message-log.js';
import type { WhatsAppStatus } from './status-webhook.js';

/** `source_id` of the events written from WhatsApp status webhooks (not a write-key source). */
export const WHATSAPP_STATUS_SOURCE_ID = 'whatsapp-status-webhook';

const title = (s: string): string => `${s[0]!.toUpperCase()}${s.slice(1)}`;

/**
 * One status as a `track` row of `events`, on the person who got the message:
 * `WhatsApp Message Sent|Delivered|Read|Failed|Played` with the message id, recipient phone, status,
 * campaign and Meta's error codes. `message_id` is derived from wamid + status, so a webhook Meta
 * redelivers is stored once. The phone goes in `properties`, not `traits`, so it never creates an
 * identity edge of its own.
 */
export function statusEventRow(s: WhatsAppStatus, to: LoggedMessage, receivedAtMs: number): EventRow {
  const atMs = Number.isFinite(s.timestamp) && s.timestamp > 0 ? s.timestamp * 1000 : receivedAtMs;
  const properties: Record<string, unknown> = {
    wamid: s.wamid,
    status: s.status,
    recipient_phone: to.phone || s.recipientId,
    campaign_id: to.campaign,
    ...(to.destinationId ? { destination_id: to.destinationId } : {}),
    channel: 'whatsapp',
    ...(s.errors.length > 0 ? { error_code: s.errors[0]!.code, errors: s.errors } : {}),
  };
  return {
    source_id: WHATSAPP_STATUS_SOURCE_ID,
    message_id: `wa-${s.wamid}-${s.status}`,
    type: 'track',
    event: `WhatsApp Message ${title(s.status)}`,
    name: '',
    anonymous_id: to.anonymousId,
    user_id: to.userId,
    group_id: '',
    previous_id: '',
    timestamp: formatClickHouseDateTime64(atMs),
    original_timestamp: null,
    sent_at: null,
    received_at: formatClickHouseDateTime64(receivedAtMs),
    ip: '', user_agent: '', browser: '', browser_version: '', os: '', os_version: '', device_type: '', is_bot: false,
    page_url: '', page_path: '', page_referrer: '',
    utm_source: '', utm_medium: '', utm_campaign: '', utm_term: '', utm_content: '',
    fbclid: '', gclid: '', ttclid: '', msclkid: '',
    order_id: '', revenue: null, currency: '', product_ids: [],
    properties: JSON.stringify(properties),
    traits: '{}',
    context: JSON.stringify({ library: { name: 'sextant-whatsapp-webhook' } }),
  };
}
