import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Store } from '@sextant/store';
import {
  alertRuleInputSchema, attributionDefinitionSchema, CHANNEL_NAMES, definitionIssues, funnelDropOffSegmentInputSchema, funnelDropOffsInputSchema, funnelRunInputSchema,
  PRODUCT_GROUPINGS, type ChannelName, type FunnelDropOffsInput, type ProductQueryInput,
} from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { sendEngineErrors } from './engine-error-handler.js';
import { runFunnel, funnelDropOffs } from '../analytics/run-funnel.js';
import { saveDropOffSegment } from '../analytics/drop-off-segment.js';
import { documentationOnly, documentedBody, errorResponse, looseObject } from './zod-documented-body.js';
import { runAttribution } from '../analytics/run-attribution.js';
import { kpiOverview, nextPurchaseProbability, retentionCohorts } from '../analytics/kpi-query.js';
import { marketingKpis } from '../analytics/marketing-kpis.js';
import { productReport } from '../analytics/product-analytics.js';
import { AlertRepository, evaluateAlerts } from '../analytics/alerts.js';
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
// Bodies are validated by zod in the handlers (400 INVALID_DEFINITION with paths); their JSON Schemas,
// from the same zod schemas, only document them (see zod-documented-body.ts).
const funnelBody = documentedBody(funnelRunInputSchema);
const dropOffsBody = documentedBody(funnelDropOffsInputSchema);
const dropOffSegmentBody = documentedBody(funnelDropOffSegmentInputSchema);
const attributionBody = documentedBody(attributionDefinitionSchema);
const alertBody = documentedBody(alertRuleInputSchema);
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse };
const storedSegment = looseObject({
  id: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' },
  definition: looseObject({ type: { type: 'string', enum: ['snapshot'] }, taken_at: { type: 'string' } }, 'a snapshot: the members were written once, at taken_at'),
  members: { type: 'integer', description: 'persons written into the snapshot' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' },
});
const alertRule = looseObject({ id: { type: 'string' }, name: { type: 'string' }, kpi: { type: 'string' }, condition: { type: 'string' }, threshold: { type: 'number' }, createdAt: { type: 'string' } });
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
  sendEngineErrors(app);
  /** The body as parsed by `schema`, or 400 INVALID_DEFINITION with each issue's path. */
  const parse = <T>(schema: { safeParse(body: unknown): { success: true; data: T } | { success: false; error: Parameters<typeof definitionIssues>[0] } }, body: unknown): T => {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new DefinitionError(definitionIssues(parsed.error));
    return parsed.data;
  };
  /** `as_of` (UTC when it has no zone) or now. */
  const asOfDate = (v: string | undefined): Date => {
    if (v === undefined) return new Date();
    const d = new Date(v.length > 10 ? `${v.replace(' ', 'T')}${v.endsWith('Z') ? '' : 'Z'}` : v);
    if (Number.isNaN(d.getTime())) throw new DefinitionError([{ path: 'as_of', message: 'not a valid date' }]);
    return d;
  };
  const checkDropOffs = <T extends FunnelDropOffsInput>(input: T): T => {
    const n = input.funnel.steps.length;
    if (input.step >= n) throw new DefinitionError([{ path: 'step', message: `must be an integer from 1 to ${n - 1}` }]);
    if (input.breakdown_value !== undefined && !input.funnel.breakdown) throw new DefinitionError([{ path: 'breakdown_value', message: 'needs a funnel with a breakdown' }]);
    return input;
  };

  app.post('/api/analytics/funnels', {
    validatorCompiler: documentationOnly,
    schema: { ...secured, summary: 'Run a funnel: per-step counts, drop-offs, in-progress, times, breakdown, trend (body: funnel definition, optional as_of)', body: funnelBody,
      response: { 200: looseObject({ total: looseObject(), breakdown: { type: 'array', items: looseObject() }, trend: { type: 'array', items: looseObject() }, source: { type: 'string' }, tookMs: { type: 'number' } }), ...errors } },
  }, async (request) => {
    const { as_of, ...def } = parse(funnelRunInputSchema, request.body);
    return runFunnel(client, def, { asOf: asOfDate(as_of) });
  });

  app.post('/api/analytics/funnels/drop-offs', {
    validatorCompiler: documentationOnly,
    schema: { ...secured, summary: 'Person ids who stopped at a step with their window closed (body: funnel, step, optional breakdown_value, as_of)', body: dropOffsBody,
      response: { 200: looseObject({ step: { type: 'integer' }, count: { type: 'integer' }, persons: { type: 'array', items: { type: 'string' } } }), ...errors } },
  }, async (request) => {
    const input = checkDropOffs(parse(funnelDropOffsInputSchema, request.body));
    const persons = await funnelDropOffs(client, input.funnel, input.step, { asOf: asOfDate(input.as_of), ...(input.breakdown_value === undefined ? {} : { breakdownValue: input.breakdown_value }) });
    return { step: input.step, count: persons.length, persons };
  });
  app.post('/api/analytics/funnels/drop-offs/segment', {
    config: { role: 'marketer' },
    validatorCompiler: documentationOnly,
    schema: { ...secured, summary: 'Save the drop-offs at a step (the same persons as /drop-offs at as_of) as a snapshot segment: written once, not recomputed by refreshes', body: dropOffSegmentBody,
      response: { 201: storedSegment, ...errors } },
  }, async (request, reply) => {
    const input = checkDropOffs(parse(funnelDropOffSegmentInputSchema, request.body));
    return reply.code(201).send(await saveDropOffSegment(client, { funnel: input.funnel, step: input.step, breakdownValue: input.breakdown_value, name: input.name, asOf: asOfDate(input.as_of) }));
  });

  app.post('/api/analytics/attribution', {
    validatorCompiler: documentationOnly,
    schema: { ...secured, summary: 'Revenue and conversions per channel/campaign for each attribution model, with ROAS and CPA', body: attributionBody,
      response: { 200: looseObject({ rows: { type: 'array', items: looseObject() }, totals: looseObject(), markov: looseObject(), tookMs: { type: 'number' } }), ...errors } },
  }, async (request) => runAttribution(client, parse(attributionDefinitionSchema, request.body)));

  app.get<{ Querystring: { date: string; period?: 'day' | 'month'; channel?: ChannelName } }>('/api/analytics/kpis', {
    schema: { ...secured, summary: 'KPI overview with day-over-day, month-over-month and year-over-year change (with channel: only the KPIs that filter applies to, all of that channel)',
      querystring: { type: 'object', properties: { date: { type: 'string', pattern: dateRe }, period: { type: 'string', enum: ['day', 'month'] }, channel: { type: 'string', enum: [...CHANNEL_NAMES] } }, required: ['date'], additionalProperties: false } },
  }, async (request) => kpiOverview(client, request.query));

  app.get<{ Querystring: { date: string; period?: 'day' | 'month'; group_by?: 'channel' | 'campaign' } }>('/api/analytics/marketing', {
    schema: { ...secured, summary: 'Marketing KPIs per channel or campaign (impressions, clicks, CTR, CPC, spend, last-non-direct attributed orders/revenue, ROAS, ROI) with DoD/MoM/YoY change',
      querystring: { type: 'object', properties: { date: { type: 'string', pattern: dateRe }, period: { type: 'string', enum: ['day', 'month'] }, group_by: { type: 'string', enum: ['channel', 'campaign'] } }, required: ['date'], additionalProperties: false },
      response: { 200: looseObject({ date: { type: 'string' }, period: { type: 'string' }, groupBy: { type: 'string' }, attribution: looseObject(), rows: { type: 'array', items: looseObject({ channel: { type: 'string' }, campaign: { type: 'string' }, kpis: looseObject() }) }, tookMs: { type: 'number' } }), ...errors } },
  }, async (request) => marketingKpis(client, request.query));

  app.get<{ Querystring: { from: string } }>('/api/analytics/retention', {
    schema: { ...secured, summary: 'Monthly retention cohorts and next-purchase probability by past orders', querystring: { type: 'object', properties: { from: { type: 'string', pattern: dateRe } }, required: ['from'], additionalProperties: false } },
  }, async (request) => ({ cohorts: await retentionCohorts(client, request.query.from), nextPurchase: await nextPurchaseProbability(client) }));

  app.get<{ Querystring: ProductQueryInput }>('/api/analytics/products', {
    schema: { ...secured, summary: 'Per product (and per category or tag with group_by): views, add-to-cart rate, conversion, revenue, refunds; best sellers and the attributes they share',
      querystring: { ...rangeQuery, properties: { ...rangeQuery.properties, order_by: { type: 'string', enum: ['revenue', 'units', 'views'], default: 'revenue' },
        group_by: { type: 'string', enum: [...PRODUCT_GROUPINGS], default: 'product' }, top: { type: 'integer', minimum: 1, maximum: 100, default: 10 } } } },
  }, async (request) => productReport(client, request.query));

  app.get('/api/analytics/alerts', { schema: { ...secured, summary: 'Alert rules and the latest firings', response: { 200: looseObject({ rules: { type: 'array', items: alertRule }, history: { type: 'array', items: looseObject() } }), ...errors } } }, async () => ({ rules: await alerts.list(), history: await alerts.history() }));
  app.post('/api/analytics/alerts', {
    config: { role: 'marketer' }, validatorCompiler: documentationOnly,
    schema: { ...secured, summary: 'Define an alert rule on a KPI', body: alertBody, response: { 201: alertRule, ...errors } },
  }, async (request, reply) =>
    reply.code(201).send(await alerts.create(request.body)),
  );
  app.delete<{ Params: { id: string } }>('/api/analytics/alerts/:id', {
    config: { role: 'marketer' }, schema: { ...secured, summary: 'Delete an alert rule', params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      response: { 200: looseObject({ deleted: { type: 'boolean' } }), ...errors } },
  }, async (request) => ({ deleted: await alerts.delete(request.params.id) }));
  app.post<{ Querystring: { date?: string } }>('/api/analytics/alerts/evaluate', {
    config: { role: 'marketer' }, schema: { ...secured, summary: 'Evaluate every rule now (for date, default today UTC)', querystring: { type: 'object', properties: { date: { type: 'string', pattern: dateRe } }, additionalProperties: false },
      response: { 200: looseObject({ notifications: { type: 'array', items: looseObject({ ruleId: { type: 'string' }, kind: { type: 'string' }, value: { type: 'number' } }) } }), ...errors } },
  }, async (request) => ({ notifications: (await evaluate(request.query.date ?? new Date().toISOString().slice(0, 10))).map((n) => ({ ruleId: n.rule.id, kind: n.kind, value: n.value })) }));
};
