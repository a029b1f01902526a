import { z } from 'zod';
import { emptyBatchResult, type BatchResult, type DestinationDefinition } from '../connector.js';
import { buildAudienceRow, CUSTOM_AUDIENCE_KEYS, newHashStats } from '../identifiers/hash-identifiers.js';
import type { IdentifierKey } from '../identifiers/normalize-identifier.js';

export const MAX_USERS_PER_REQUEST = 10_000;

export const customAudienceSettingsSchema = z.object({
  /** With or without the `act_` prefix. */
  adAccountId: z.string().regex(/^(act_)?\d+$/, 'must be a numeric ad account id, optionally prefixed act_'),
  accessToken: z.string().min(1, 'is required'),
  /** Name of the customer-list audience created (or reused) in the ad account. */
  audienceName: z.string().min(1).max(200),
  /** Use this existing audience instead of creating one. */
  audienceId: z.string().regex(/^\d+$/).optional(),
  description: z.string().max(500).optional(),
  schema: z.array(z.enum(CUSTOM_AUDIENCE_KEYS as [IdentifierKey, ...IdentifierKey[]])).min(1).default(['EXTERN_ID', 'EMAIL', 'PHONE', 'FN', 'LN', 'CT', 'ST', 'ZIP', 'COUNTRY']),
  customerFileSource: z.enum(['USER_PROVIDED_ONLY', 'PARTNER_PROVIDED_ONLY', 'BOTH_USER_AND_PARTNER_PROVIDED']).default('USER_PROVIDED_ONLY'),
  /** Region for phone numbers written without a country code. */
  defaultRegion: z.string().length(2).default('US'),
  batchSize: z.number().int().min(1).max(MAX_USERS_PER_REQUEST).default(MAX_USERS_PER_REQUEST),
  apiVersion: z.string().regex(/^v\d+\.\d+$/).default('v25.0'),
  baseUrl: z.url().default('https://graph.facebook.com'),
  appSecret: z.string().min(1).optional(),
});
export type CustomAudienceSettings = z.infer<typeof customAudienceSettingsSchema>;

interface UsersResponse { audience_id: string; session_id: string; num_received: number; num_invalid_entries: number }

/**
 * A customer-list Custom Audience destination (meta.md §1). Facebook and Instagram are two
 * definitions made here: one Meta API, separate ad accounts/audiences and naming, so a marketer
 * targets each placement on its own.
 */
export function createCustomAudienceDestination(options: { id: string; name: string; description: string; namePrefix: string }): DestinationDefinition<CustomAudienceSettings> {
  const account = (s: CustomAudienceSettings): string => (s.adAccountId.startsWith('act_') ? s.adAccountId : `act_${s.adAccountId}`);
  return {
    id: options.id,
    name: options.name,
    description: options.description,
    kind: 'audience',
    settingsSchema: customAudienceSettingsSchema,
    secretFields: ['accessToken', 'appSecret'],
    maxBatchSize: MAX_USERS_PER_REQUEST,
    supportsReplace: true,
    oncePerCampaign: false,
    graphOptions: (s) => ({ accessToken: s.accessToken, baseUrl: s.baseUrl, version: s.apiVersion, ...(s.appSecret ? { appSecret: s.appSecret } : {}) }),

    async testConnection(ctx) {
      const list = await ctx.graph.request<{ data: unknown[] }>('GET', `${account(ctx.settings)}/customaudiences`, { fields: 'id,name', limit: 1 });
      return { ok: true, message: `ad account ${account(ctx.settings)} reachable (${list.data.length > 0 ? 'has' : 'no'} audiences)` };
    },

    async prepare(ctx) {
      const s = ctx.settings;
      if (s.audienceId) {
        await ctx.graph.request('GET', s.audienceId, { fields: 'id,name' });
        return { audienceId: s.audienceId };
      }
      if (ctx.state.audienceId) return { audienceId: ctx.state.audienceId };
      const created = await ctx.graph.request<{ id: string }>('POST', `${account(s)}/customaudiences`, {
        name: `${options.namePrefix}${s.audienceName}`, subtype: 'CUSTOM', customer_file_source: s.customerFileSource,
        description: s.description ?? `Sextant audience ${s.audienceName}`, enable_fetch_or_create: true,
      });
      return { audienceId: created.id };
    },

    async syncBatch(ctx, batch): Promise<BatchResult> {
      const result = emptyBatchResult();
      const audienceId = ctx.state.audienceId;
      if (!audienceId) throw new Error('prepare() must run before syncBatch()');
      if (batch.members.length > ctx.settings.batchSize) throw new Error(`batch of ${batch.members.length} exceeds ${ctx.settings.batchSize}`);
      const stats = newHashStats();
      const data: string[][] = [];
      for (const m of batch.members) {
        const row = buildAudienceRow(m, ctx.settings.schema, stats, ctx.settings.defaultRegion);
        if (row) data.push(row);
      }
      result.invalidIdentifiers = stats.invalidIdentifiers;
      result.skipped = stats.emptyRows;
      // A replace session must still send its numbered batch even if empty of rows; an add/remove may skip.
      if (data.length === 0 && batch.action !== 'replace') return result;
      if (data.length === 0) data.push(ctx.settings.schema.map(() => ''));
      const path = batch.action === 'replace' ? `${audienceId}/usersreplace` : `${audienceId}/users`;
      const params: Record<string, unknown> = { payload: { schema: ctx.settings.schema, is_raw: true, data } };
      if (batch.session) {
        params.session = { session_id: Number(batch.session.id), batch_seq: batch.session.seq, last_batch_flag: batch.session.last,
          ...(batch.session.estimatedTotal !== undefined ? { estimated_num_total: batch.session.estimatedTotal } : {}) };
      }
      const res = await ctx.graph.request<UsersResponse>(batch.action === 'remove' ? 'DELETE' : 'POST', path, params);
      result.sent = data.length;
      result.platformReceived = res.num_received;
      result.platformInvalid = res.num_invalid_entries;
      return result;
    },
  };
}
