import { createHmac, randomBytes } from 'node:crypto';
import { GraphErrorResponse } from './graph-error.js';

export interface FakeTemplate {
  name: string;
  language: string;
  /** Number of body variables. */
  bodyParams: number;
  status?: 'APPROVED' | 'PAUSED' | 'DISABLED';
}

export interface FakeWhatsAppOptions {
  templates?: FakeTemplate[];
  /** Messages per second per business number (meta.md §3.3); default 80. */
  mps?: number;
  /** Pair limit: burst and refill interval per (number, recipient) (§3.4); default 45 / 6000 ms. */
  pairBurst?: number;
  pairIntervalMs?: number;
  /** Recipients that answer a synchronous error code. */
  recipientErrors?: Record<string, number>;
  /** Recipients not on WhatsApp: accepted, then an async `failed` webhook with 131026. */
  undeliverable?: string[];
  /** Where status webhooks go, signed with `appSecret`. */
  webhookUrl?: string;
  appSecret?: string;
}

const WA_ERRORS: Record<number, { status: number; message: string }> = {
  131008: { status: 400, message: 'Required parameter is missing' },
  131009: { status: 400, message: 'Parameter value is not valid' },
  132000: { status: 400, message: 'Number of parameters does not match the expected number of params' },
  132001: { status: 404, message: 'Template name does not exist in the translation' },
  132015: { status: 400, message: 'Template is paused due to low quality' },
  132016: { status: 400, message: 'Template has been disabled' },
  130429: { status: 400, message: 'Rate limit hit: Cloud API message throughput has been reached' },
  131056: { status: 400, message: '(Business Account, Consumer Account) pair rate limit hit' },
  131026: { status: 400, message: 'Message undeliverable' },
  131021: { status: 400, message: 'Recipient cannot be sender' },
  131048: { status: 400, message: 'Spam rate limit hit' },
  131000: { status: 500, message: 'Something went wrong' },
  131047: { status: 400, message: 'Re-engagement message: more than 24 hours have passed since the recipient last replied' },
  132012: { status: 400, message: 'Parameter format does not match format in the created template' },
};

export function waError(code: number, details?: string): GraphErrorResponse {
  const e = WA_ERRORS[code] ?? { status: 400, message: 'Error' };
  return new GraphErrorResponse({ status: e.status, code, message: details ?? e.message, whatsapp: true, ...(code === 130429 ? { transient: true } : {}) });
}

/** One status a fake webhook reports. */
export interface FakeStatus {
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | 'played';
  recipientId: string;
  bizOpaqueCallbackData?: string;
  errors?: { code: number; title: string; details: string }[];
  /** Unix seconds (default now). */
  timestamp?: number;
}

/** Meta's status webhook envelope (meta.md §3.9). */
export function statusWebhookPayload(phoneNumberId: string, statuses: FakeStatus[]): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: 'WABA_ID', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp', metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId },
      statuses: statuses.map((s) => ({
        id: s.wamid, status: s.status, timestamp: String(s.timestamp ?? Math.floor(Date.now() / 1000)), recipient_id: s.recipientId,
        ...(s.bizOpaqueCallbackData ? { biz_opaque_callback_data: s.bizOpaqueCallbackData } : {}),
        pricing: { pricing_model: 'PMP', type: 'regular', category: 'marketing' },
        ...(s.errors?.length ? { errors: s.errors.map((e) => ({ code: e.code, title: e.title, message: e.title, error_data: { details: e.details } })) } : {}),
      })),
    } }] }],
  };
}

export interface SentMessage {
  wamid: string;
  phoneNumberId: string;
  to: string;
  template: string;
  language: string;
  parameters: string[];
  bizOpaqueCallbackData?: string;
}

/** WhatsApp Cloud API emulation (meta.md §3, §5.6). */
export class FakeWhatsApp {
  readonly sent: SentMessage[] = [];
  readonly webhookDeliveries: { status: number; body: string }[] = [];
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly pairs = new Map<string, { tokens: number; at: number }>();
  private readonly pendingWebhooks = new Set<Promise<void>>();

  constructor(readonly options: FakeWhatsAppOptions = {}) {}

  private take(map: Map<string, { tokens: number; at: number }>, key: string, capacity: number, perMs: number, now: number): boolean {
    const b = map.get(key) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + (now - b.at) * perMs);
    b.at = now;
    map.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  send(phoneNumberId: string, params: Record<string, unknown>, now = Date.now()): Record<string, unknown> {
    if (params.messaging_product !== 'whatsapp') throw waError(131008, 'messaging_product must be "whatsapp"');
    const to = params.to;
    if (typeof to !== 'string' || to.length === 0) throw waError(131008, 'to is required');
    if (!/^\+?[1-9]\d{6,14}$/.test(to)) throw waError(131009, 'to must be a phone number with country code');
    if (params.type !== 'template') throw waError(131047, 'only template messages can be sent outside the customer service window');
    const template = params.template as { name?: unknown; language?: { code?: unknown }; components?: unknown } | undefined;
    if (!template || typeof template.name !== 'string' || typeof template.language?.code !== 'string') throw waError(131008, 'template.name and template.language.code are required');
    const t = (this.options.templates ?? []).find((x) => x.name === template.name && x.language === template.language!.code);
    if (!t) throw waError(132001, `template name (${template.name}) does not exist in ${String(template.language.code)}`);
    if (t.status === 'PAUSED') throw waError(132015);
    if (t.status === 'DISABLED') throw waError(132016);
    const components = Array.isArray(template.components) ? (template.components as { type?: string; parameters?: unknown[] }[]) : [];
    const body = components.find((c) => c.type === 'body');
    const parameters = (body?.parameters ?? []) as { type?: string; text?: unknown }[];
    if (parameters.length !== t.bodyParams) throw waError(132000, `expected ${t.bodyParams} body parameters, got ${parameters.length}`);
    for (const p of parameters) if (p.type === 'text' && (typeof p.text !== 'string' || p.text.length === 0)) throw waError(132012, 'parameter text must be a non-empty string');

    const mps = this.options.mps ?? 80;
    if (!this.take(this.buckets, phoneNumberId, mps, mps / 1000, now)) throw waError(130429);
    const digits = to.replace(/^\+/, '');
    const burst = this.options.pairBurst ?? 45;
    if (!this.take(this.pairs, `${phoneNumberId}:${digits}`, burst, 1 / (this.options.pairIntervalMs ?? 6000), now)) throw waError(131056);
    const syncError = this.options.recipientErrors?.[digits];
    if (syncError !== undefined) throw waError(syncError);

    const wamid = `wamid.${randomBytes(12).toString('base64url')}`;
    const biz = typeof params.biz_opaque_callback_data === 'string' ? params.biz_opaque_callback_data : undefined;
    this.sent.push({ wamid, phoneNumberId, to: digits, template: t.name, language: t.language, parameters: parameters.map((p) => String(p.text ?? '')), ...(biz ? { bizOpaqueCallbackData: biz } : {}) });
    this.scheduleStatuses(phoneNumberId, wamid, digits, biz);
    return { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: digits }], messages: [{ id: wamid, message_status: 'accepted' }] };
  }

  private scheduleStatuses(phoneNumberId: string, wamid: string, waId: string, biz: string | undefined): void {
    const { webhookUrl, appSecret } = this.options;
    if (!webhookUrl || !appSecret) return;
    const failed = this.options.undeliverable?.includes(waId);
    const sequence: FakeStatus['status'][] = failed ? ['failed'] : ['sent', 'delivered', 'read'];
    const p = (async () => {
      for (const status of sequence) {
        await this.postStatuses([{ wamid, status, recipientId: waId, ...(biz ? { bizOpaqueCallbackData: biz } : {}),
          ...(status === 'failed' ? { errors: [{ code: 131026, title: 'Message undeliverable', details: 'recipient is not a WhatsApp user' }] } : {}) }], { phoneNumberId });
      }
    })();
    this.pendingWebhooks.add(p);
    void p.finally(() => this.pendingWebhooks.delete(p));
  }

  /**
   * Posts one status webhook (meta.md §3.9) to `url` (default the configured `webhookUrl`), signed with
   * `X-Hub-Signature-256` over the exact bytes sent. `signWith` signs with another secret and
   * `tamper` changes the body after signing (tests of the receiver's rejection).
   */
  async postStatuses(statuses: FakeStatus[], o: { url?: string; appSecret?: string; signWith?: string; tamper?: boolean; phoneNumberId?: string } = {}): Promise<{ status: number; body: string; response: string }> {
    const url = o.url ?? this.options.webhookUrl;
    const secret = o.signWith ?? o.appSecret ?? this.options.appSecret;
    if (!url || !secret) throw new Error('postStatuses needs a webhook URL and an app secret');
    const body = JSON.stringify(statusWebhookPayload(o.phoneNumberId ?? '100000000000001', statuses));
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const sent = o.tamper ? body.replace('"status":"', '"status":"x') : body;
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body: sent });
      const response = await res.text();
      this.webhookDeliveries.push({ status: res.status, body: sent });
      return { status: res.status, body: sent, response };
    } catch (err) {
      this.webhookDeliveries.push({ status: 0, body: sent });
      return { status: 0, body: sent, response: (err as Error).message };
    }
  }

  /** Waits until every scheduled webhook has been delivered (tests). */
  async flushWebhooks(): Promise<void> {
    while (this.pendingWebhooks.size > 0) await Promise.all([...this.pendingWebhooks]);
  }

  /** Meta's GET verification handshake against a receiver (§3.9): returns the echoed challenge. */
  static async verifyWebhook(url: string, verifyToken: string): Promise<{ status: number; body: string }> {
    const challenge = String(Math.floor(Math.random() * 1e9));
    const u = new URL(url);
    u.searchParams.set('hub.mode', 'subscribe');
    u.searchParams.set('hub.verify_token', verifyToken);
    u.searchParams.set('hub.challenge', challenge);
    const res = await fetch(u);
    return { status: res.status, body: await res.text() };
  }
}
