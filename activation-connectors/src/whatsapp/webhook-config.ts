import { z } from 'zod';

/**
 * The process-wide WhatsApp webhook secrets (README "Configuration"). Each WhatsApp destination may
 * also carry its own `appSecret` / `webhookVerifyToken` (sealed with the destination); the webhook
 * accepts any of them, since one Sextant may serve several Meta apps.
 */
export const whatsappWebhookEnvSchema = z.object({
  /** The Meta app secret: key of `X-Hub-Signature-256`. */
  SEXTANT_WHATSAPP_APP_SECRET: z.string().min(8, 'must be the Meta app secret (at least 8 characters)').optional(),
  /** The token typed into Meta's webhook settings, echoed in the GET handshake. */
  SEXTANT_WHATSAPP_VERIFY_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
});

export interface WhatsAppWebhookSecrets {
  appSecrets: string[];
  verifyTokens: string[];
}

/** Reads the env; a bad value stops start-up with one line per problem. */
export function webhookSecretsFromEnv(env: Record<string, string | undefined> = process.env): WhatsAppWebhookSecrets {
  const blank = (v: string | undefined) => (v === '' ? undefined : v);
  const parsed = whatsappWebhookEnvSchema.safeParse({
    SEXTANT_WHATSAPP_APP_SECRET: blank(env.SEXTANT_WHATSAPP_APP_SECRET),
    SEXTANT_WHATSAPP_VERIFY_TOKEN: blank(env.SEXTANT_WHATSAPP_VERIFY_TOKEN),
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('\n'));
  return {
    appSecrets: parsed.data.SEXTANT_WHATSAPP_APP_SECRET ? [parsed.data.SEXTANT_WHATSAPP_APP_SECRET] : [],
    verifyTokens: parsed.data.SEXTANT_WHATSAPP_VERIFY_TOKEN ? [parsed.data.SEXTANT_WHATSAPP_VERIFY_TOKEN] : [],
  };
}
