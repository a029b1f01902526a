import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Store } from '@sextant/store';
import { funnelDefinitionSchema, type FunnelDefinition } from '@sextant/schemas';
import { DefinitionError, EngineError } from '../errors.js';
import { runFunnel, funnelDropOffs, dropOffSegmentCondition } from '../analytics/run-funnel.js';
import { runAttribution } from '../analytics/run-attribution.js';
import { kpiOverview, nextPurchaseProbability, retentionCohorts } from '../analytics/kpi-query.js';
import { bestSellerAttributes, productAnalytics } from '../analytics/product-analytics.js';
import { AlertRepository, evaluateAlerts } from '../analytics/alerts.js';
import { SegmentRepository } from '../segments/segment-repository.js';
import { createIntervalScheduler } from '../refresh/interval-scheduler.js';

export interface AnalyticsRoutesOptions {
  store: Store;
  /** Adds the admin bearer-token check (and the route `config.role` check) to the plugin. */
  requireAuth: (app: FastifyInstance) => void;
  /** Server secret; alert webhooks are signed with a key derived from it (HMAC-SHA256 of 'sextant-alert-webhooks'). */
  secret: string;
  /** How often alert rules are evaluated (for today, UTC); 0 turns it off. Default 15 minutes. */
  alertIntervalMs?: number;
}

const secured = { security: [{ bearerAuth: [] }], tags: ['analytics'] };
const anyBody = { type: 'object', additionalProperties: true } as const;
const dateRe = '^\\d{4}-\\d{2}-\\d{2}$';
const rangeQuery = { type: 'object', properties: { from: { type: 'string', pattern: dateRe }, to: { type: 'string', pattern: dateRe }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }, required: ['from', 'to'], additionalProperties: false } as const;

/** The derived key alert webhooks are signed with (receivers verify `X-Sextant-Signature: sha256=<hex>`). */
export function alertWebhookKey(secret: string): string {
  return createHmac('sha256', secret).update('sextant-alert-webhooks').digest('hex');
}

/**
 * Journey analytics under `/api/analytics`: funnels, drop-offs, attribution, KPIs, products and
 * alerts. Reading needs any token (viewer); saving drop-offs as a segment and defining or running
 * alerts needs `marketer` (or admin). Definitions are validated by the zod schemas of
 * `@sextant/schemas` (400 `INVALID_DEFINITION` with paths).
 */
export const analyticsRoutes: FastifyPluginAsync<AnalyticsRoutesOptions> = async (app, options) => {
  const client = options.store.client;
  const alerts = new AlertRepository(client);
  const webhookSecret = alertWebhookKey(options.secret);
  const evaluate = (date: string) => evaluateAlerts(client, date, { webhookSecret, log: (msg, data) => app.log.warn(data, msg) });
  const scheduler = createIntervalScheduler(() => evaluate(new Date().toISOString().slice(0, 10)), options.alertIntervalMs ?? 15 * 60_000, (err) => app.log.error({ err }, 'alert evaluation failed'));
  app.addHook('onClose', async () => scheduler.stop());
  options.requireAuth(app);
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof EngineError) {
      return reply.code(error.status).send({ success: false, error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } });
    }
    throw error;
  });
  const asOf = (body: unknown) => {
    const v = (body as { as_of?: unknown } | null)?.as_of;
    return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : new Date();
  };
  const stripAsOf = (body: unknown) => {
    const { as_of: _ignored, ...rest } = (body ?? {}) as Record<string, unknown>;
    return rest;
  };

  app.post('/api/analytics/funnels', { schema: { ...secured, summary: 'Run a funnel: per-step counts, drop-offs, in-progress, times, breakdown, trend (body: funnel definition, optional as_of)', body: anyBody } }, async (request) =>
    runFunnel(client, stripAsOf(request.body) as FunnelDefinition, { asOf: asOf(request.body) }),
  );

  const dropOffInput = (body: unknown) => {
    const b = (body ?? {}) as { funnel?: unknown; step?: unknown };
    const parsed = funnelDefinitionSchema.safeParse(b.funnel);
    if (!parsed.success) throw new DefinitionError(parsed.error.issues.map((i) => ({ path: `funnel.${i.path.join('.')}`, message: i.message })));
    const step = Number(b.step);
    if (!Number.isInteger(step) || step < 1 || step >= parsed.data.steps.length) throw new DefinitionError([{ path: 'step', message: `must be an integer from 1 to ${parsed.data.steps.length - 1}` }]);
    return { def: parsed.data, step };
  };
  app.post('/api/analytics/funnels/drop-offs', {
    schema: { ...secured, summary: 'Person ids who stopped at a step with their window closed (body: funnel, step, optional breakdown_value, as_of)', body: anyBody },
  }, async (request) => {
    const { def, step } = dropOffInput(request.body);
    const bv = (request.body as { breakdown_value?: unknown }).breakdown_value;
    const persons = await funnelDropOffs(client, def, step, { asOf: asOf(request.body), ...(typeof bv === 'string' ? { breakdownValue: bv } : {}) });
    return { step, count: persons.length, persons };
  });
  app.post('/api/analytics/funnels/drop-offs/segment', {
    config: { role: 'marketer' },
    schema: { ...secured, summary: 'Save "dropped off at step k" as a segment (DSL funnel condition; default mode, window in whole days)', body: anyBody },
  }, async (request, reply) => {
    const { def, step } = dropOffInput(request.body);
    const name = (request.body as { name?: unknown }).name;
    const condition = dropOffSegmentCondition(def, step);
    if (!condition) throw new DefinitionError([{ path: 'funnel', message: 'only funnels in the default mode with a window in whole days can be saved as a segment' }]);
    return reply.code(201).send(await new SegmentRepository(client).create('segment', { name: typeof name === 'string' && name ? name.slice(0, 200) : `Dropped off at step ${step}`, description: `Dropped off at step ${step} of a funnel`, definition: condition }));
  });

  app.post('/api/analytics/attribution', { schema: { ...secured, summary: 'Revenue and conversions per channel/campaign for each attribution model, with ROAS and CPA', body: anyBody } }, async (request) =>
    runAttribution(client, request.body as never),
  );

  app.get<{ Querystring: { date: string; period?: 'day' | 'month'; channel?: string } }>('/api/analytics/kpis', {
    schema: { ...secured, summary: 'KPI overview with day-over-day, month-over-month and year-over-year change',
      querystring: { type: 'object', properties: { date: { type: 'string', pattern: dateRe }, period: { type: 'string', enum: ['day', 'month'] }, channel: { type: 'string', maxLength: 100 } }, required: ['date'], additionalProperties: false } },
  }, async (request) => kpiOverview(client, request.query));

  app.get<{ Querystring: { from: string } }>('/api/analytics/retention', {
    schema: { ...secured, summary: 'Monthly retention cohorts and next-purchase probability by past orders', querystring: { type: 'object', properties: { from: { type: 'string', pattern: dateRe } }, required: ['from'], additionalProperties: false } },
  }, async (request) => ({ cohorts: await retentionCohorts(client, request.query.from), nextPurchase: await nextPurchaseProbability(client) }));

  app.get<{ Querystring: { from: string; to: string; limit: number } }>('/api/analytics/products', {
    schema: { ...secured, summary: 'Per product: views, add-to-cart rate, conversion, revenue, refunds; best sellers and the attributes they share', querystring: rangeQuery },
  }, async (request) => {
    const range = { from: request.query.from, to: request.query.to };
    return { products: await productAnalytics(client, range, { limit: request.query.limit }), bestSellerAttributes: await bestSellerAttributes(client, range) };
  });

  app.get('/api/analytics/alerts', { schema: { ...secured, summary: 'Alert rules and the latest firings' } }, async () => ({ rules: await alerts.list(), history: await alerts.history() }));
  app.post('/api/analytics/alerts', { config: { role: 'marketer' }, schema: { ...secured, summary: 'Define an alert rule on a KPI', body: anyBody } }, async (request, reply) =>
    reply.code(201).send(await alerts.create(request.body)),
  );
  app.delete<{ Params: { id: string } }>('/api/analytics/alerts/:id', {
    config: { role: 'marketer' }, schema: { ...secured, summary: 'Delete an alert rule', params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } },
  }, async (request) => ({ deleted: await alerts.delete(request.params.id) }));
  app.post<{ Querystring: { date?: string } }>('/api/analytics/alerts/evaluate', {
    config: { role: 'marketer' }, schema: { ...secured, summary: 'Evaluate every rule now (for date, default today UTC)', querystring: { type: 'object', properties: { date: { type: 'string', pattern: dateRe } }, additionalProperties: false } },
  }, async (request) => ({ notifications: (await evaluate(request.query.date ?? new Date().toISOString().slice(0, 10))).map((n) => ({ ruleId: n.rule.id, kind: n.kind, value: n.value })) }));
};
