import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { AudienceScheduler, type ScheduledPair } from '../audiences/audience-scheduler.js';
import type { StateClient } from '../audiences/clickhouse-audience-state-store.js';
import { ConversionsFeedInputError, ConversionsFeedRepository, type StoredConversionsFeed } from '../conversions-api/feed-repository.js';
import { ClickHouseConversionsFeedStateStore, type ConversionsFeedRun } from '../conversions-api/feed-state-store.js';
import { ConversionsFeedBusyError, runConversionsFeed } from '../conversions-api/run-conversions-feed.js';
import type { GraphClientOptions } from '../graph/graph-client.js';
import type { ClickHouseLeaseLockOptions } from '../run-lock/clickhouse-lease-lock.js';
import { SecretBox } from '../secrets/secret-box.js';

export interface ConversionsFeedRoutesOptions {
  client: StateClient;
  requireAuth: (app: FastifyInstance) => void;
  secretKey?: string | undefined;
  schedule?: boolean;
  graph?: Partial<GraphClientOptions>;
  lease?: ClickHouseLeaseLockOptions;
}

const secured = { security: [{ bearerAuth: [] }], tags: ['conversions-api'] };
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const;
const feedBody = {
  type: 'object',
  required: ['name', 'settings'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    settings: { type: 'object', additionalProperties: true, description: 'Conversions API settings: pixelId, accessToken, events ({"Order Completed":"Purchase"}), actionSource, batchSize, testEventCode, apiVersion' },
    cron: { type: 'string', maxLength: 120 },
    timezone: { type: 'string', maxLength: 64 },
    enabled: { type: 'boolean' },
    sourceIds: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 50 },
    backfillHours: { type: 'integer', minimum: 0, maximum: 168 },
    settleSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
    requireProfileConsent: { type: 'boolean' },
  },
} as const;
const patchBody = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 }, cron: { type: 'string', maxLength: 120 }, timezone: { type: 'string', maxLength: 64 },
    enabled: { type: 'boolean' }, settleSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
  },
} as const;

function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ success: false, error: { code, message } });
}

const FEED_JOB = 'conversions-api';

/**
 * Meta Conversions API feeds under `/api/conversion-feeds`: configure (marketer), enable/disable and
 * reschedule (PATCH, marketer), run now (marketer), read feeds and their run history (any token).
 * Each enabled feed runs on its cron; a run sends what arrived since the feed's cursor.
 */
export const conversionsFeedRoutes: FastifyPluginAsync<ConversionsFeedRoutesOptions> = async (app, options) => {
  options.requireAuth(app);
  const repo = new ConversionsFeedRepository(options.client, options.secretKey ? new SecretBox(options.secretKey) : undefined);
  const state = new ClickHouseConversionsFeedStateStore(options.client, options.lease ? { lease: options.lease } : {});

  async function run(id: string): Promise<ConversionsFeedRun | undefined> {
    const feed = await repo.get(id);
    if (!feed) return undefined;
    return runConversionsFeed({ feed, settings: repo.openSettings(feed), client: options.client, state, ...(options.graph ? { graph: options.graph } : {}) });
  }

  const scheduler = new AudienceScheduler<ConversionsFeedRun>({
    run: async (pair) => {
      const r = await run(pair.audienceId);
      if (!r) throw new Error(`conversions feed ${pair.audienceId} no longer exists`);
      if (r.status === 'failed') app.log.warn({ feedId: r.feedId, error: r.error }, 'conversions feed run failed');
      else app.log.info({ feedId: r.feedId, read: r.read, sent: r.sent, dropped: r.dropped, skippedConsent: r.skippedConsent }, 'conversions feed run');
      return r;
    },
    lastStartedAt: async (pair) => {
      const last = (await state.runs(pair.audienceId, 1))[0];
      return last ? new Date(last.startedAt) : undefined;
    },
    onError: (pair, err) => {
      if (!(err instanceof ConversionsFeedBusyError)) app.log.warn({ feedId: pair.audienceId, err: (err as Error).message }, 'conversions feed run failed');
    },
  });
  const job = (f: StoredConversionsFeed): ScheduledPair => ({ audienceId: f.id, destinationId: FEED_JOB, cron: f.cron, timezone: f.timezone });
  const scheduling = options.schedule !== false && options.secretKey !== undefined;
  const reschedule = (f: StoredConversionsFeed) => {
    scheduler.unschedule(job(f));
    if (scheduling && f.enabled) scheduler.schedule(job(f));
  };
  if (scheduling) app.addHook('onReady', async () => scheduler.start((await repo.list()).filter((f) => f.enabled).map(job)));
  app.addHook('onClose', async () => scheduler.stop());

  const present = async (f: StoredConversionsFeed) => ({
    ...ConversionsFeedRepository.present(f),
    cursor: (await state.cursor(f.id)) ?? null,
    nextRunAt: scheduler.nextRun(job(f))?.toISOString() ?? null,
  });

  app.get('/api/conversion-feeds', { schema: { ...secured, summary: 'Conversions API feeds (token redacted), their cursor and next run' } }, async () =>
    Promise.all((await repo.list()).map(present)));

  app.post('/api/conversion-feeds', { config: { role: 'marketer' }, schema: { ...secured, summary: 'Create a Conversions API feed from stored events', body: feedBody } }, async (request, reply) => {
    try {
      const feed = repo.build(request.body);
      await repo.save(feed);
      reschedule(feed);
      return reply.code(201).send(await present(feed));
    } catch (err) {
      if (err instanceof ConversionsFeedInputError) return fail(reply, 400, err.code, err.message);
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/api/conversion-feeds/:id', { schema: { ...secured, summary: 'One Conversions API feed', params: idParams } }, async (request, reply) => {
    const feed = await repo.get(request.params.id);
    return feed ? present(feed) : fail(reply, 404, 'CONVERSION_FEED_NOT_FOUND', `no conversions feed ${request.params.id}`);
  });

  app.patch<{ Params: { id: string } }>('/api/conversion-feeds/:id', {
    config: { role: 'marketer' }, schema: { ...secured, summary: 'Enable/disable or reschedule a feed', params: idParams, body: patchBody },
  }, async (request, reply) => {
    const feed = await repo.get(request.params.id);
    if (!feed) return fail(reply, 404, 'CONVERSION_FEED_NOT_FOUND', `no conversions feed ${request.params.id}`);
    try {
      const next = repo.patch(feed, request.body);
      await repo.save(next);
      reschedule(next);
      return present(next);
    } catch (err) {
      if (err instanceof ConversionsFeedInputError) return fail(reply, 400, err.code, err.message);
      throw err;
    }
  });

  app.delete<{ Params: { id: string } }>('/api/conversion-feeds/:id', { config: { role: 'marketer' }, schema: { ...secured, summary: 'Delete a feed (stops its schedule)', params: idParams } }, async (request, reply) => {
    const feed = await repo.get(request.params.id);
    if (!feed) return fail(reply, 404, 'CONVERSION_FEED_NOT_FOUND', `no conversions feed ${request.params.id}`);
    scheduler.unschedule(job(feed));
    await repo.save(feed, true);
    return { success: true };
  });

  app.post<{ Params: { id: string } }>('/api/conversion-feeds/:id/run', {
    config: { role: 'marketer' }, schema: { ...secured, summary: 'Run now (waits for the run; 409 while one runs)', params: idParams },
  }, async (request, reply) => {
    try {
      const r = await run(request.params.id);
      return r ?? fail(reply, 404, 'CONVERSION_FEED_NOT_FOUND', `no conversions feed ${request.params.id}`);
    } catch (err) {
      if (err instanceof ConversionsFeedBusyError) return fail(reply, 409, err.code, err.message);
      throw err;
    }
  });

  app.get<{ Params: { id: string }; Querystring: { limit?: number } }>('/api/conversion-feeds/:id/runs', {
    schema: { ...secured, summary: 'Run history, newest first', params: idParams, querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } } } },
  }, async (request) => state.runs(request.params.id, request.query.limit ?? 50));
};
