import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '@sextant/store';
import type { EventQueue } from '../queue/event-queue.js';
import type { IngestMetrics } from '../metrics/ingest-metrics.js';

export interface HealthRoutesOptions {
  /** Absent in the ingest role when it has no ClickHouse access. */
  store?: Store | undefined;
  queue: EventQueue;
  metrics: IngestMetrics;
}

const statusSchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    checks: { type: 'object', additionalProperties: { type: 'boolean' } },
  },
  required: ['status'],
} as const;

/** Liveness, readiness (storage answers and the queue is healthy) and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, { store, queue, metrics }) => {
  app.get('/healthz', { schema: { tags: ['operations'], response: { 200: statusSchema } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['operations'], response: { 200: statusSchema, 503: statusSchema } } }, async (_req, reply) => {
    const checks: Record<string, boolean> = { queue: queue.isHealthy() };
    if (store) checks.storage = (await store.client.ping()).success;
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', { schema: { tags: ['operations'], response: { 200: { type: 'string' } } } }, async (_req, reply) => {
    const depth = queue.depth();
    metrics.queueDepthEvents.set(depth.events);
    metrics.queueDepthBytes.set(depth.bytes);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
