import { z } from 'zod';
import { emptyBatchResult, type BatchResult, type DestinationDefinition } from '../connector.js';
import { ConnectorError } from '../errors.js';
import { normalizePhone } from '../identifiers/normalize-identifier.js';
import type { AudienceMember } from '../identifiers/member.js';
import { inQuietHours } from './quiet-hours.js';
import { callbackData } from './status-webhook.js';

export const whatsappSettingsSchema = z.object({
  phoneNumberId: z.string().regex(/^\d+$/, 'must be the numeric id of the business phone number'),
  accessToken: z.string().min(1, 'is required'),
  templateName: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be an approved template name'),
  language: z.string().min(2).default('en'),
  /** Body variables in order: member fields (`firstName`) or trait paths (`traits.coupon`). */
  variables: z.array(z.string().min(1)).default([]),
  /** A member is never sent twice for the same campaign. */
  campaignId: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/),
  quietHours: z.object({ startHour: z.number().int().min(0).max(23), endHour: z.number().int().min(0).max(23) }).default({ startHour: 21, endHour: 9 }),
  defaultTimeZone: z.string().default('UTC'),
  defaultRegion: z.string().length(2).default('US'),
  /** Client-side pacing below the number's throughput (80 mps default, meta.md §3.3). */
  messagesPerSecond: z.number().positive().max(1000).default(80),
  concurrency: z.number().int().min(1).max(64).default(8),
  /** App secret for `X-Hub-Signature-256` on status webhooks. */
  appSecret: z.string().min(1).optional(),
  webhookVerifyToken: z.string().min(1).optional(),
  apiVersion: z.string().regex(/^v\d+\.\d+$/).default('v25.0'),
  baseUrl: z.url().default('https://graph.facebook.com'),
});
export type WhatsAppSettings = z.infer<typeof whatsappSettingsSchema>;

function variable(member: AudienceMember, path: string): string | undefined {
  const parts = path.split('.');
  let v: unknown = member;
  for (const p of parts) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

/** WhatsApp Cloud API: an approved template to each opted-in member (meta.md §3). Removes are no-ops. */
export const whatsappTemplate: DestinationDefinition<WhatsAppSettings> = {
  id: 'whatsapp-template',
  name: 'WhatsApp template message',
  description: 'Sends an approved template to members with a WhatsApp opt-in, once per campaign, paced, outside quiet hours in their time zone.',
  kind: 'message',
  settingsSchema: whatsappSettingsSchema,
  secretFields: ['accessToken', 'appSecret', 'webhookVerifyToken'],
  maxBatchSize: 1000,
  supportsReplace: false,
  oncePerCampaign: true,
  graphOptions: (s) => ({ accessToken: s.accessToken, baseUrl: s.baseUrl, version: s.apiVersion }),

  async testConnection(ctx) {
    await ctx.graph.request('GET', ctx.settings.phoneNumberId, { fields: 'id' }).catch((err: unknown) => {
      // The fake server has no phone-number object; a 100/33 still proves the token works.
      if (err instanceof ConnectorError && err.kind !== 'auth') return;
      throw err;
    });
    return { ok: true, message: `phone number ${ctx.settings.phoneNumberId} reachable` };
  },

  async prepare() {
    return {};
  },

  async syncBatch(ctx, batch): Promise<BatchResult> {
    const result = emptyBatchResult();
    if (batch.action === 'remove') return result;
    const s = ctx.settings;
    const now = ctx.now?.() ?? new Date();
    const interval = 1000 / s.messagesPerSecond;
    let nextSlot = Date.now();
    const messageIds: Record<string, string> = {};
    const recipients: Record<string, string> = {};
    const queue: { member: AudienceMember; to: string; params: string[] }[] = [];
    const notAttempted: string[] = [];
    result.notAttempted = notAttempted;
    for (const member of batch.members) {
      if (!member.whatsappOptIn || !member.phone) {
        result.skipped += 1;
        notAttempted.push(member.personId);
        continue;
      }
      const digits = normalizePhone(member.phone, member.country, s.defaultRegion);
      if (!digits) {
        result.invalidIdentifiers += 1;
        result.skipped += 1;
        notAttempted.push(member.personId);
        continue;
      }
      if (inQuietHours(now, member.timeZone, s.quietHours, s.defaultTimeZone)) {
        result.deferred.push(member.personId);
        notAttempted.push(member.personId);
        continue;
      }
      const params = s.variables.map((path) => variable(member, path));
      const missing = s.variables.filter((_, i) => params[i] === undefined);
      if (missing.length > 0) {
        result.failed.push({ personId: member.personId, code: 'MISSING_VARIABLE', message: `no value for template variable(s) ${missing.join(', ')}` });
        notAttempted.push(member.personId);
        continue;
      }
      queue.push({ member, to: `+${digits}`, params: params as string[] });
    }
    let fatal: ConnectorError | undefined;
    const worker = async (): Promise<void> => {
      for (let item = queue.shift(); item && !fatal; item = queue.shift()) {
        const wait = nextSlot - Date.now();
        nextSlot = Math.max(nextSlot, Date.now()) + interval;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        try {
          const res = await ctx.graph.request<{ messages: { id: string }[] }>('POST', `${s.phoneNumberId}/messages`, {
            messaging_product: 'whatsapp', recipient_type: 'individual', to: item.to, type: 'template',
            biz_opaque_callback_data: callbackData(s.campaignId, item.member.personId),
            template: { name: s.templateName, language: { code: s.language, policy: 'deterministic' },
              components: s.variables.length > 0 ? [{ type: 'body', parameters: item.params.map((text) => ({ type: 'text', text })) }] : [] },
          });
          const id = res.messages[0]?.id;
          if (id) {
            messageIds[item.member.personId] = id;
            recipients[item.member.personId] = item.to.slice(1);
          }
          result.sent += 1;
        } catch (err) {
          const e = err instanceof ConnectorError ? err : new ConnectorError('META_NETWORK', (err as Error).message);
          if (e.kind === 'payload') result.failed.push({ personId: item.member.personId, code: String(e.details.graphCode ?? e.code), message: e.message });
          else {
            fatal ??= e;
            // Meta answered with an error: this message was not accepted. A network failure leaves it unknown (kept in flight, never resent).
            if (e.details.graphCode !== undefined) notAttempted.push(item.member.personId);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: s.concurrency }, worker));
    result.messageIds = messageIds;
    result.recipients = recipients;
    if (fatal) {
      for (const item of queue) notAttempted.push(item.member.personId);
      fatal.partial = result;
      throw fatal;
    }
    return result;
  },
};

export * from './status-webhook.js';
export * from './quiet-hours.js';
