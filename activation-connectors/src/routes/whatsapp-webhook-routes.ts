import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { StateClient } from '../audiences/clickhouse-audience-state-store.js';
import type { WhatsAppWebhookSecrets } from '../whatsapp/webhook-config.js';
import { storeStatusEvents } from '../whatsapp/store-status-events.js';
import { parseStatusWebhook, verifyWebhookSignature, verifyWebhookSubscription } from '../whatsapp/status-webhook.js';

export const WHATSAPP_WEBHOOK_PATH = '/api/webhooks/whatsapp';

export interface WhatsAppWebhookRoutesOptions {
  client: StateClient;
  /** The app secrets and verify tokens accepted now (env plus WhatsApp destinations). */
  secrets: () => Promise<WhatsAppWebhookSecrets>;
  /** Largest webhook body (default 1 MB). */
  bodyLimit?: number;
}

const tags = ['webhooks'];
const errorResponse = {
  type: 'object',
  properties: { success: { type: 'boolean' }, error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ success: false, error: { code, message } });
}

/**
 * Meta's WhatsApp webhook (meta.md §3.9), without a Sextant token (Meta cannot send one): the GET
 * verification handshake, and signed POSTs whose statuses become events on the person. The
 * signature is checked over the raw body bytes before anything is parsed, so this plugin keeps the
 * body as a Buffer (its own content-type parser, scoped to this plugin only).
 */
export const whatsappWebhookRoutes: FastifyPluginAsync<WhatsAppWebhookRoutesOptions> = async (app, options) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit ?? 1024 * 1024 }, (_request, body, done) => done(null, body));

  app.get<{ Querystring: Record<string, string> }>(WHATSAPP_WEBHOOK_PATH, {
    schema: {
      tags, summary: 'Meta webhook verification: echoes hub.challenge when hub.verify_token matches',
      querystring: { type: 'object', properties: { 'hub.mode': { type: 'string', maxLength: 32 }, 'hub.verify_token': { type: 'string', maxLength: 512 }, 'hub.challenge': { type: 'string', maxLength: 512 } } },
      response: { 200: { type: 'string' }, 403: errorResponse },
    },
  }, async (request, reply) => {
    const { verifyTokens } = await options.secrets();
    for (const token of verifyTokens) {
      const challenge = verifyWebhookSubscription(request.query, token);
      if (challenge !== undefined) return reply.type('text/plain').send(challenge);
    }
    return fail(reply, 403, 'WEBHOOK_VERIFICATION_FAILED', verifyTokens.length === 0
      ? 'no WhatsApp webhook verify token is configured (SEXTANT_WHATSAPP_VERIFY_TOKEN or a WhatsApp destination\'s webhookVerifyToken)'
      : 'hub.mode must be "subscribe" and hub.verify_token must match the configured verify token');
  });

  app.post<{ Body: Buffer }>(WHATSAPP_WEBHOOK_PATH, {
    schema: {
      tags, summary: 'Signed WhatsApp status webhook (X-Hub-Signature-256): statuses stored as events on the person',
      headers: { type: 'object', properties: { 'x-hub-signature-256': { type: 'string', maxLength: 200 } } },
      response: {
        200: { type: 'object', properties: { success: { type: 'boolean' }, statuses: { type: 'integer' }, stored: { type: 'integer' }, duplicates: { type: 'integer' }, unmatched: { type: 'integer' } } },
        400: errorResponse, 401: errorResponse, 403: errorResponse,
      },
    },
  }, async (request, reply) => {
    const { appSecrets } = await options.secrets();
    if (appSecrets.length === 0) {
      return fail(reply, 403, 'WEBHOOK_NOT_CONFIGURED', 'no WhatsApp app secret is configured (SEXTANT_WHATSAPP_APP_SECRET or a WhatsApp destination\'s appSecret): webhooks cannot be verified');
    }
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const header = request.headers['x-hub-signature-256'];
    const signature = Array.isArray(header) ? header[0] : header;
    if (!signature) return fail(reply, 401, 'WEBHOOK_SIGNATURE_MISSING', 'the X-Hub-Signature-256 header is missing');
    if (!appSecrets.some((secret) => verifyWebhookSignature(raw, signature, secret))) {
      return fail(reply, 401, 'WEBHOOK_SIGNATURE_INVALID', 'X-Hub-Signature-256 does not match the body signed with the app secret');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      return fail(reply, 400, 'INVALID_WEBHOOK_PAYLOAD', 'the body is not JSON');
    }
    const envelope = payload as { object?: unknown; entry?: unknown } | null;
    if (!envelope || typeof envelope !== 'object' || envelope.object !== 'whatsapp_business_account' || !Array.isArray(envelope.entry)) {
      return fail(reply, 400, 'INVALID_WEBHOOK_PAYLOAD', 'expected {"object":"whatsapp_business_account","entry":[...]}');
    }
    // Inbound messages and other fields carry no statuses: acknowledged, nothing stored.
    const result = await storeStatusEvents(options.client, parseStatusWebhook(payload));
    request.log.info({ ...result }, 'whatsapp status webhook');
    return { success: true, ...result };
  });
};
