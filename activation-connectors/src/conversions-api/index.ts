import { z } from 'zod';
import type { DestinationDefinition, EventsResult, TrackedEvent } from '../connector.js';
import { ConnectorError } from '../errors.js';
import { hashCapiUserData, newHashStats, type HashStats } from '../identifiers/hash-identifiers.js';

export const MAX_EVENTS_PER_REQUEST = 1000;
const SEVEN_DAYS_S = 7 * 86400;

export const conversionsApiSettingsSchema = z.object({
  pixelId: z.string().regex(/^\d+$/, 'must be the numeric pixel (dataset) id'),
  accessToken: z.string().min(1, 'is required'),
  /** Sextant event name → Meta event name; only these are forwarded. */
  events: z.record(z.string(), z.string()).default({ 'Order Completed': 'Purchase' }),
  actionSource: z.enum(['website', 'app', 'email', 'phone_call', 'chat', 'physical_store', 'system_generated', 'business_messaging', 'other']).default('website'),
  testEventCode: z.string().optional(),
  defaultRegion: z.string().length(2).default('US'),
  batchSize: z.number().int().min(1).max(MAX_EVENTS_PER_REQUEST).default(MAX_EVENTS_PER_REQUEST),
  apiVersion: z.string().regex(/^v\d+\.\d+$/).default('v25.0'),
  baseUrl: z.url().default('https://graph.facebook.com'),
});
export type ConversionsApiSettings = z.infer<typeof conversionsApiSettingsSchema>;

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string' && v.length > 0)) as Partial<T>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined);

/** One Sextant event as a CAPI server event (meta.md §2.2): `event_id` = `messageId` for pixel dedup. */
export function toServerEvent(e: TrackedEvent, metaName: string, settings: ConversionsApiSettings, stats: HashStats): Record<string, unknown> {
  const traits = { ...(e.context?.traits ?? {}), ...(e.traits ?? {}) } as Record<string, unknown>;
  const p = e.properties ?? {};
  const address = (traits.address ?? {}) as Record<string, unknown>;
  const user = hashCapiUserData({
    ...definedOnly(e.identity ?? {}),
    ...(str(traits.email ?? p.email) ? { email: str(traits.email ?? p.email)! } : {}),
    ...(str(traits.phone) ? { phone: str(traits.phone)! } : {}),
    ...(str(traits.firstName ?? traits.first_name) ? { firstName: str(traits.firstName ?? traits.first_name)! } : {}),
    ...(str(traits.lastName ?? traits.last_name) ? { lastName: str(traits.lastName ?? traits.last_name)! } : {}),
    ...(str(traits.gender) ? { gender: str(traits.gender)! } : {}),
    ...(str(traits.birthday) ? { birthDate: str(traits.birthday)!.slice(0, 10) } : {}),
    ...(str(address.city) ? { city: str(address.city)! } : {}),
    ...(str(address.state) ? { state: str(address.state)! } : {}),
    ...(str(address.postalCode ?? address.postal_code) ? { zip: str(address.postalCode ?? address.postal_code)! } : {}),
    ...(str(address.country) ? { country: str(address.country)! } : {}),
    ...(e.userId ? { externalId: e.userId } : {}),
  }, stats, settings.defaultRegion);
  const ctx = e.context ?? {};
  const userData: Record<string, unknown> = {
    ...Object.fromEntries(Object.entries(user).map(([k, v]) => [k, k === 'external_id' ? v : [v]])),
    ...(ctx.ip ? { client_ip_address: ctx.ip } : {}),
    ...(ctx.userAgent ? { client_user_agent: ctx.userAgent } : {}),
    ...(ctx.fbc ? { fbc: ctx.fbc } : {}),
    ...(ctx.fbp ? { fbp: ctx.fbp } : {}),
  };
  const products = Array.isArray(p.products) ? (p.products as Record<string, unknown>[]) : [];
  const value = typeof p.revenue === 'number' ? p.revenue : typeof p.total === 'number' ? p.total : typeof p.value === 'number' ? p.value : undefined;
  const customData: Record<string, unknown> = {
    ...(value !== undefined ? { value } : {}),
    ...(str(p.currency) ? { currency: str(p.currency)!.toLowerCase() } : {}),
    ...(str(p.order_id) ? { order_id: str(p.order_id) } : {}),
    ...(products.length > 0 ? {
      content_ids: products.map((x) => str(x.product_id ?? x.sku ?? x.id)).filter(Boolean),
      contents: products.map((x) => ({ id: str(x.product_id ?? x.sku ?? x.id), quantity: typeof x.quantity === 'number' ? x.quantity : 1, ...(typeof x.price === 'number' ? { item_price: x.price } : {}) })),
      content_type: 'product', num_items: products.reduce((n, x) => n + (typeof x.quantity === 'number' ? x.quantity : 1), 0),
    } : {}),
  };
  const url = str(ctx.page?.url ?? p.url);
  return {
    event_name: metaName,
    event_time: Math.floor(Date.parse(e.timestamp) / 1000),
    event_id: e.messageId,
    action_source: settings.actionSource,
    ...(url ? { event_source_url: url } : {}),
    user_data: userData,
    ...(Object.keys(customData).length > 0 ? { custom_data: customData } : {}),
  };
}

/**
 * Meta Conversions API (meta.md §2): configured events forwarded server-side, batched ≤ 1,000.
 * Because one bad event fails the whole request, events older than 7 days are dropped before
 * sending, and a batch Meta rejects for its content is split in halves until the bad events are
 * isolated and dropped (counted), so good events still go through.
 */
export const conversionsApi: DestinationDefinition<ConversionsApiSettings> = {
  id: 'meta-conversions-api',
  name: 'Meta Conversions API',
  description: 'Forwards Order Completed (and configured events) server-side with event_id = messageId, fbc/fbp and hashed user data.',
  kind: 'events',
  settingsSchema: conversionsApiSettingsSchema,
  secretFields: ['accessToken'],
  maxBatchSize: MAX_EVENTS_PER_REQUEST,
  supportsReplace: false,
  oncePerCampaign: false,
  graphOptions: (s) => ({ accessToken: s.accessToken, baseUrl: s.baseUrl, version: s.apiVersion }),

  async testConnection(ctx) {
    await ctx.graph.request('GET', ctx.settings.pixelId, { fields: 'id' }).catch((err: unknown) => {
      if (err instanceof ConnectorError && err.kind !== 'auth') return;
      throw err;
    });
    return { ok: true, message: `pixel ${ctx.settings.pixelId} reachable` };
  },

  async sendEvents(ctx, events): Promise<EventsResult> {
    const s = ctx.settings;
    const stats = newHashStats();
    const result: EventsResult = { received: events.length, sent: 0, dropped: [], invalidIdentifiers: 0 };
    const nowS = Math.floor((ctx.now?.() ?? new Date()).getTime() / 1000);
    const ready: { messageId: string; body: Record<string, unknown> }[] = [];
    for (const e of events) {
      const metaName = s.events[e.event];
      if (!metaName) {
        result.dropped.push({ messageId: e.messageId, reason: 'event not configured' });
        continue;
      }
      const body = toServerEvent(e, metaName, s, stats);
      if (!Number.isFinite(body.event_time) || (body.event_time as number) < nowS - SEVEN_DAYS_S + 60) {
        result.dropped.push({ messageId: e.messageId, reason: 'older than 7 days' });
        continue;
      }
      // A website event without these fails the whole request (meta.md §2.2): drop it here, named.
      const ud = body.user_data as Record<string, unknown>;
      if (s.actionSource === 'website' && (typeof ud.client_user_agent !== 'string' || typeof body.event_source_url !== 'string')) {
        result.dropped.push({ messageId: e.messageId, reason: 'website events need a user agent and a page URL' });
        continue;
      }
      ready.push({ messageId: e.messageId, body });
    }
    const send = async (chunk: typeof ready): Promise<void> => {
      try {
        await ctx.graph.request('POST', `${s.pixelId}/events`, { data: chunk.map((c) => c.body), ...(s.testEventCode ? { test_event_code: s.testEventCode } : {}) });
        result.sent += chunk.length;
      } catch (err) {
        if (!(err instanceof ConnectorError) || err.kind !== 'payload') throw err;
        if (chunk.length === 1) result.dropped.push({ messageId: chunk[0]!.messageId, reason: err.message });
        else {
          const mid = Math.ceil(chunk.length / 2);
          await send(chunk.slice(0, mid));
          await send(chunk.slice(mid));
        }
      }
    };
    for (let i = 0; i < ready.length; i += s.batchSize) await send(ready.slice(i, i + s.batchSize));
    result.invalidIdentifiers = stats.invalidIdentifiers;
    return result;
  },
};
