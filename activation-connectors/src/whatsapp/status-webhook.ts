import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TrackedEvent } from '../connector.js';

/** Meta's GET handshake (meta.md §3.9): the challenge to echo, or undefined (answer 403). */
export function verifyWebhookSubscription(query: Record<string, unknown>, verifyToken: string): string | undefined {
  if (query['hub.mode'] !== 'subscribe' || typeof query['hub.challenge'] !== 'string') return undefined;
  const given = Buffer.from(String(query['hub.verify_token'] ?? ''));
  const expected = Buffer.from(verifyToken);
  return given.length === expected.length && timingSafeEqual(given, expected) ? query['hub.challenge'] : undefined;
}

/** `X-Hub-Signature-256` over the raw body bytes, keyed with the app secret; constant-time compare. */
export function verifyWebhookSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice(7), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WhatsAppStatus {
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'played';
  timestamp: number;
  recipientId: string;
  bizOpaqueCallbackData?: string;
  errors: { code: number; title?: string; details?: string }[];
}

/** Every status in a (verified) webhook payload. */
export function parseStatusWebhook(payload: unknown): WhatsAppStatus[] {
  const out: WhatsAppStatus[] = [];
  const entries = (payload as { entry?: unknown[] })?.entry;
  if (!Array.isArray(entries)) return out;
  for (const entry of entries as { changes?: { value?: { statuses?: Record<string, any>[] } }[] }[]) {
    for (const change of entry.changes ?? []) {
      for (const s of change.value?.statuses ?? []) {
        if (typeof s.id !== 'string' || typeof s.status !== 'string') continue;
        out.push({
          wamid: s.id, status: s.status as WhatsAppStatus['status'], timestamp: Number(s.timestamp), recipientId: String(s.recipient_id ?? ''),
          ...(typeof s.biz_opaque_callback_data === 'string' ? { bizOpaqueCallbackData: s.biz_opaque_callback_data } : {}),
          errors: Array.isArray(s.errors) ? s.errors.map((e: any) => ({ code: Number(e.code), title: e.title, details: e.error_data?.details })) : [],
        });
      }
    }
  }
  return out;
}

/** `biz_opaque_callback_data` we send: campaign and person, so a status finds its person without a lookup. */
export const callbackData = (campaignId: string, personId: string): string => `sextant:${campaignId}:${personId}`;

/**
 * Status → a track event on the person (`WhatsApp Message Delivered`, …), ready for the ingest
 * pipeline. `messageId` is derived from wamid + status, so a webhook Meta redelivers is stored once.
 */
export function statusToTrackEvent(s: WhatsAppStatus): TrackedEvent | undefined {
  const m = /^sextant:([^:]+):(.+)$/.exec(s.bizOpaqueCallbackData ?? '');
  if (!m) return undefined;
  const name = `WhatsApp Message ${s.status[0]!.toUpperCase()}${s.status.slice(1)}`;
  return {
    messageId: `wa-${s.wamid}-${s.status}`,
    event: name,
    userId: m[2]!,
    timestamp: new Date((Number.isFinite(s.timestamp) ? s.timestamp : Date.now() / 1000) * 1000).toISOString(),
    properties: { campaign_id: m[1]!, wamid: s.wamid, status: s.status, ...(s.errors.length > 0 ? { error_code: s.errors[0]!.code, error_details: s.errors[0]!.details } : {}) },
  };
}
