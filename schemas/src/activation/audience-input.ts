import { z } from 'zod';

/** One destination of an audience in the admin API: its connector, settings (secrets included on write, never returned), schedule. */
export const audienceDestinationInputSchema = z.strictObject({
  /** A connector id from the registry (`facebook-custom-audience`, `instagram-custom-audience`, `whatsapp-template`). */
  type: z.string().regex(/^[a-z0-9-]{1,64}$/),
  /** Connector settings, validated by the connector's own schema. */
  settings: z.record(z.string(), z.unknown()),
  /** Cron expression (5 or 6 fields), evaluated in `timezone`. */
  cron: z.string().min(9).max(120),
  timezone: z.string().max(64).default('UTC'),
  mode: z.enum(['diff', 'full']).default('diff'),
  enabled: z.boolean().default(true),
});

/** Create/update input of an audience: a segment plus destinations. */
export const audienceInputSchema = z.strictObject({
  name: z.string().min(1).max(200),
  segmentId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a segment id'),
  destinations: z.array(audienceDestinationInputSchema).min(1).max(20),
});
export type AudienceInput = z.infer<typeof audienceInputSchema>;
