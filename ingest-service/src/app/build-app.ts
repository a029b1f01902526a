import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import type { Logger } from 'pino';
import type { SextantEnv } from '@sextant/schemas';
import type { Store } from '@sextant/store';
import type { EventQueue } from '../queue/event-queue.js';
import type { IngestMetrics } from '../metrics/ingest-metrics.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import type { SourceLookup } from '../sources/source-lookup.js';
import { installErrorHandler } from './error-handler.js';
import { trackingRoutes } from '../routes/tracking-routes.js';
import { eventsRoutes } from '../routes/events-routes.js';
import { sourcesRoutes } from '../routes/sources-routes.js';
import { healthRoutes } from '../routes/health-routes.js';
import { sdkRoutes } from '../routes/sdk-routes.js';
import { segmentEngineRoutes, analyticsRoutes, adSpendRoutes } from '@sextant/segment-engine';
import { requireAdminToken } from '../routes/admin-auth.js';
import { consoleRoutes } from '../routes/console-routes.js';

/** Segment's limits. */
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;

export interface AppDeps {
  config: SextantEnv;
  jwtSecret: string;
  queue: EventQueue;
  metrics: IngestMetrics;
  logger: Logger;
  /** The tracking API (all-in-one and ingest roles). */
  tracking?: { sources: SourceLookup } | undefined;
  /** The admin API over stored data (roles that own a ClickHouse connection). */
  admin?: { store: Store; sources: SourceRegistry } | undefined;
}

/** The HTTP app: tracking API, admin API, operations endpoints and the OpenAPI document. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: trustProxyOption(deps.config.SEXTANT_TRUST_PROXY),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });
  installErrorHandler(app);

  const origins = deps.config.SEXTANT_CORS_ORIGINS;
  await app.register(cors, {
    origin: origins === '*' ? true : origins.split(',').map((o) => o.trim()),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    // So browsers can honour a 503's Retry-After.
    exposedHeaders: ['Retry-After'],
    maxAge: 86_400,
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Sextant API', version: '0.1.0', description: 'Segment-compatible tracking API and Sextant admin API' },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          writeKey: { type: 'http', scheme: 'basic', description: 'the write key as the username, empty password' },
        },
      },
    },
  });

  if (deps.tracking) {
    const tracking = {
      queue: deps.queue,
      sources: deps.tracking.sources,
      metrics: deps.metrics,
      anonymizeIp: deps.config.SEXTANT_ANONYMIZE_IP,
      maxEventBytes: MAX_EVENT_BYTES,
      maxBatchBytes: MAX_BATCH_BYTES,
    };
    await app.register(trackingRoutes, tracking);
    // The same API under a neutral prefix, for brands that serve it from their own domain (ad blockers).
    if (deps.config.SEXTANT_TRACKING_PREFIX) await app.register(trackingRoutes, { ...tracking, prefix: deps.config.SEXTANT_TRACKING_PREFIX });
    await app.register(sdkRoutes, { scriptPath: deps.config.SEXTANT_SDK_PATH });
  }
  if (deps.admin) {
    await app.register(eventsRoutes, { client: deps.admin.store.client, jwtSecret: deps.jwtSecret });
    await app.register(sourcesRoutes, { sources: deps.admin.sources, jwtSecret: deps.jwtSecret });
    await app.register(segmentEngineRoutes, { store: deps.admin.store, requireAuth: (scope) => requireAdminToken(scope, deps.jwtSecret) });
    await app.register(analyticsRoutes, { store: deps.admin.store, requireAuth: (scope) => requireAdminToken(scope, deps.jwtSecret), secret: deps.jwtSecret });
    await app.register(adSpendRoutes, { store: deps.admin.store, requireAuth: (scope) => requireAdminToken(scope, deps.jwtSecret) });
    await app.register((await import('@sextant/activation-connectors')).activationRoutes, { store: deps.admin.store, requireAuth: (scope) => requireAdminToken(scope, deps.jwtSecret), secretKey: deps.config.SEXTANT_SECRET_KEY });
    await app.register(consoleRoutes); // the web console at / (when its build exists)
  }
  await app.register(healthRoutes, { store: deps.admin?.store, queue: deps.queue, metrics: deps.metrics });
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** A hop count trusts that many proxies nearest to us (what proxy-addr does for Fastify's number option). */
function trustProxyOption(value: boolean | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address: string, hop: number) => hop < value : value;
}
