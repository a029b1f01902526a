import { z } from 'zod';

/**
 * Create input of a Conversions API feed (admin API): which stored events go to which pixel, and
 * when. `settings` are the connector's (`conversionsApiSettingsSchema`: pixelId, accessToken, the
 * event-name map, action source, batch size …), validated by the connector itself.
 */
export const conversionsFeedInputSchema = z.strictObject({
  name: z.string().min(1).max(200),
  settings: z.record(z.string(), z.unknown()),
  /** Cron expression (5 or 6 fields), evaluated in `timezone`; every 5 minutes by default. */
  cron: z.string().min(9).max(120).default('*/5 * * * *'),
  timezone: z.string().max(64).default('UTC'),
  enabled: z.boolean().default(true),
  /** Only events of these sources (write-key sources); all when empty. */
  sourceIds: z.array(z.string().min(1).max(64)).max(50).default([]),
  /** On the first run, also send events received up to this many hours before the feed was created (Meta takes ≤ 7 days). */
  backfillHours: z.number().int().min(0).max(168).default(0),
  /**
   * Events are read only once they are this old (received_at), so the loader has stored everything
   * received before the cursor: an event stored later than this after its arrival is never sent.
   */
  settleSeconds: z.number().int().min(0).max(3600).default(60),
  /** Also require the person's marketing consent trait (the event's own consent is always honoured). */
  requireProfileConsent: z.boolean().default(false),
});
export type ConversionsFeedInput = z.infer<typeof conversionsFeedInputSchema>;

/** What PATCH may change (enable/disable and the schedule). */
export const conversionsFeedPatchSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  cron: z.string().min(9).max(120).optional(),
  timezone: z.string().max(64).optional(),
  enabled: z.boolean().optional(),
  settleSeconds: z.number().int().min(0).max(3600).optional(),
});
export type ConversionsFeedPatch = z.infer<typeof conversionsFeedPatchSchema>;
