import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { RETARGETING_TEMPLATES } from '@sextant/schemas';
import { AudienceInputError, AudienceRepository } from '../audiences/audience-repository.js';
import { AudienceScheduler, type ScheduledPair } from '../audiences/audience-scheduler.js';
import { ClickHouseAudienceStateStore, type StateClient } from '../audiences/clickhouse-audience-state-store.js';
import { createClickHouseMembershipSource, type QueryClient } from '../audiences/clickhouse-membership-source.js';
import { createProfileMemberLoader } from '../audiences/profile-member-loader.js';
import { AudienceBusyError, runAudienceSync } from '../audiences/run-audience-sync.js';
import type { GraphClientOptions } from '../graph/graph-client.js';
import { destinations, findDestination } from '../registry.js';
import { SecretBox } from '../secrets/secret-box.js';
import { webhookSecretsFromEnv, type WhatsAppWebhookSecrets } from '../whatsapp/webhook-config.js';
import { conversionsFeedRoutes } from './conversions-feed-routes.js';
import { whatsappWebhookRoutes } from './whatsapp-webhook-routes.js';

export interface ActivationRoutesOptions {
  store: { client: unknown };
  requireAuth: (app: FastifyInstance) => void;
  /** `SEXTANT_SECRET_KEY`; without it audiences cannot be stored (their tokens must be encrypted). */
  secretKey?: string | undefined;
  /** Start cron schedules (default true). */
  schedule?: boolean;
  graph?: Partial<GraphClientOptions>;
  /** WhatsApp webhook secrets; default from `SEXTANT_WHATSAPP_APP_SECRET` / `SEXTANT_WHATSAPP_VERIFY_TOKEN`. */
  whatsappWebhook?: WhatsAppWebhookSecrets;
}

const secured = { security: [{ bearerAuth: [] }], tags: ['audiences'] };
const anyBody = { type: 'object', additionalProperties: true } as const;
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const;
const runParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 }, destinationId: { type: 'string', maxLength: 80 } }, required: ['id', 'destinationId'] } as const;

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ success: false, error: { code, message } });
}

/**
 * Activation under `/api`: the WhatsApp webhook (signed by Meta, no token), and behind the admin token
 * the audience routes below and the Conversions API feeds. Sibling plugins, so the token check never applies to Meta's calls
 * and the webhook's raw-body parser never applies to the admin API.
 */
export const activationRoutes: FastifyPluginAsync<ActivationRoutesOptions> = async (app, options) => {
  const client = options.store.client as StateClient & QueryClient;
  const repo = new AudienceRepository(client, options.secretKey ? new SecretBox(options.secretKey) : undefined);
  const envSecrets = options.whatsappWebhook ?? webhookSecretsFromEnv();
  await app.register(whatsappWebhookRoutes, { client, secrets: cachedWebhookSecrets(envSecrets, repo) });
  await app.register(audienceRoutes, { ...options, repo });
  await app.register(conversionsFeedRoutes, { client, requireAuth: options.requireAuth, secretKey: options.secretKey,
    ...(options.schedule !== undefined ? { schedule: options.schedule } : {}), ...(options.graph ? { graph: options.graph } : {}) });
};

/** Env secrets plus those of every WhatsApp destination, re-read at most every 10 s. */
function cachedWebhookSecrets(env: WhatsAppWebhookSecrets, repo: AudienceRepository): () => Promise<WhatsAppWebhookSecrets> {
  let cached: { at: number; value: Promise<WhatsAppWebhookSecrets> } | undefined;
  const load = async (): Promise<WhatsAppWebhookSecrets> => {
    const out = { appSecrets: [...env.appSecrets], verifyTokens: [...env.verifyTokens] };
    if (!repo.canOpenSettings) return out;
    for (const a of await repo.list()) for (const d of a.destinations) {
      if (d.type !== 'whatsapp-template') continue;
      const settings = repo.openSettings(d);
      if (typeof settings.appSecret === 'string') out.appSecrets.push(settings.appSecret);
      if (typeof settings.webhookVerifyToken === 'string') out.verifyTokens.push(settings.webhookVerifyToken);
    }
    return out;
  };
  return () => {
    if (!cached || Date.now() - cached.at > 10_000) {
      cached = { at: Date.now(), value: load() };
      cached.value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
}

/** Audiences: destinations and ready-made templates (any token), audiences and runs (`marketer` to change or run). */
const audienceRoutes: FastifyPluginAsync<ActivationRoutesOptions & { repo: AudienceRepository }> = async (app, options) => {
  options.requireAuth(app);
  const client = options.store.client as StateClient & QueryClient;
  const repo = options.repo;
  const state = new ClickHouseAudienceStateStore(client);
  const source = createClickHouseMembershipSource(client);
  const loader = createProfileMemberLoader(client);

  async function run(audienceId: string, destinationId: string, mode?: 'diff' | 'full') {
    const audience = await repo.get(audienceId);
    const d = audience?.destinations.find((x) => x.id === destinationId);
    const definition = d && findDestination(d.type);
    if (!audience || !d || !definition) return undefined;
    return runAudienceSync({ audience: { id: audience.id, segmentId: audience.segmentId }, destination: { id: d.id, definition, settings: repo.openSettings(d) },
      source, loader, store: state, mode: mode ?? d.mode, ...(options.graph ? { graph: options.graph } : {}) });
  }

  const scheduler = new AudienceScheduler({
    run: async (pair, mode) => {
      const r = await run(pair.audienceId, pair.destinationId, mode);
      if (!r) throw new Error(`audience ${pair.audienceId} / ${pair.destinationId} no longer exists`);
      return r;
    },
    lastStartedAt: async (pair) => {
      const runs = (await state.runs(pair.audienceId)).filter((r) => r.destinationId === pair.destinationId);
      const last = runs.at(-1);
      return last ? new Date(last.startedAt) : undefined;
    },
    onError: (pair, err) => app.log.warn({ audienceId: pair.audienceId, destinationId: pair.destinationId, err: (err as Error).message }, 'audience sync failed'),
  });
  const pairs = (a: Awaited<ReturnType<typeof repo.list>>[number]): ScheduledPair[] =>
    a.destinations.filter((d) => d.enabled).map((d) => ({ audienceId: a.id, destinationId: d.id, cron: d.cron, timezone: d.timezone, mode: d.mode }));
  if (options.schedule !== false && options.secretKey) {
    app.addHook('onReady', async () => {
      await scheduler.start((await repo.list()).flatMap(pairs));
    });
  }
  app.addHook('onClose', async () => scheduler.stop());

  app.get('/api/destinations', { schema: { ...secured, summary: 'Destination types and their secret settings' } }, async () =>
    destinations.map((d) => ({ id: d.id, name: d.name, kind: d.kind, description: d.description, secretFields: d.secretFields, maxBatchSize: d.maxBatchSize })));

  app.get('/api/audience-templates', { schema: { ...secured, summary: 'Ready-made retargeting audiences (segment definitions)' } }, async () =>
    RETARGETING_TEMPLATES.map((t) => ({ id: t.id, name: t.name, description: t.description, suggested: t.suggested, segment: t.build() })));

  app.get('/api/audiences', { schema: { ...secured, summary: 'Audiences (secrets redacted)' } }, async () => (await repo.list()).map(AudienceRepository.present));

  app.post('/api/audiences', { config: { role: 'marketer' }, schema: { ...secured, summary: 'Create an audience: a segment plus destinations with schedules', body: anyBody } }, async (request, reply) => {
    try {
      const a = repo.build(request.body);
      await repo.save(a);
      for (const p of pairs(a)) if (options.schedule !== false) scheduler.schedule(p);
      return reply.code(201).send(AudienceRepository.present(a));
    } catch (err) {
      if (err instanceof AudienceInputError) return fail(reply, 400, err.code, err.message);
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/api/audiences/:id', { schema: { ...secured, summary: 'One audience (secrets redacted)', params: idParams } }, async (request, reply) => {
    const a = await repo.get(request.params.id);
    return a ? AudienceRepository.present(a) : fail(reply, 404, 'AUDIENCE_NOT_FOUND', `no audience ${request.params.id}`);
  });

  app.delete<{ Params: { id: string } }>('/api/audiences/:id', { config: { role: 'marketer' }, schema: { ...secured, summary: 'Delete an audience (stops its schedules)', params: idParams } }, async (request, reply) => {
    const a = await repo.get(request.params.id);
    if (!a) return fail(reply, 404, 'AUDIENCE_NOT_FOUND', `no audience ${request.params.id}`);
    for (const p of pairs(a)) scheduler.unschedule(p);
    await repo.save(a, true);
    return { success: true };
  });

  app.get<{ Params: { id: string } }>('/api/audiences/:id/runs', { schema: { ...secured, summary: 'Run history of every destination of the audience', params: idParams } }, async (request) =>
    state.runs(request.params.id));

  app.post<{ Params: { id: string; destinationId: string }; Querystring: { mode?: 'diff' | 'full' } }>('/api/audiences/:id/destinations/:destinationId/run', {
    config: { role: 'marketer' },
    schema: { ...secured, summary: 'Run now (waits for the run; 409 while one runs)', params: runParams, querystring: { type: 'object', properties: { mode: { type: 'string', enum: ['diff', 'full'] } } } },
  }, async (request, reply) => {
    try {
      const r = await run(request.params.id, request.params.destinationId, request.query.mode);
      return r ?? fail(reply, 404, 'AUDIENCE_NOT_FOUND', `no audience ${request.params.id} with destination ${request.params.destinationId}`);
    } catch (err) {
      if (err instanceof AudienceBusyError) return fail(reply, 409, err.code, err.message);
      throw err;
    }
  });
};
