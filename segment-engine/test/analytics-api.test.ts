import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Test-only: the real all-in-one server (segment-engine's source never imports ingest-service).
import { startInProcessServer, TEST_JWT_SECRET, type InProcessServer } from '../../ingest-service/test/fixtures/in-process-server.js';
import { signAdminToken } from '../../ingest-service/src/auth/admin-token.js';

let s: InProcessServer;
let marketer: string;
const iso = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  s = await startInProcessServer();
  marketer = await signAdminToken(TEST_JWT_SECRET, { subject: 'm', role: 'marketer' });
  const batch = [
    { type: 'page', anonymousId: 'd1', timestamp: iso(60), context: { campaign: { source: 'facebook', medium: 'paid_social', name: 'spring' } } },
    { type: 'track', anonymousId: 'd1', event: 'Product Viewed', timestamp: iso(59), properties: { product_id: 'p1' } },
    { type: 'track', anonymousId: 'd1', event: 'Order Completed', timestamp: iso(58), properties: { order_id: 'o1', revenue: 30, currency: 'USD' } },
    { type: 'track', anonymousId: 'd2', event: 'Product Viewed', timestamp: iso(50), properties: { product_id: 'p1' } },
  ].map((m, i) => ({ ...m, messageId: `a-${i}` }));
  expect((await s.server.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: s.basicAuth }, payload: { batch } })).statusCode).toBe(200);
  await s.server.flush();
});
afterAll(async () => s?.stop());

function api(method: 'GET' | 'POST' | 'DELETE', url: string, token: string | null, payload?: unknown) {
  return s.server.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
}
const funnel = () => ({ steps: [{ event: 'Product Viewed' }, { event: 'Order Completed' }], window_seconds: 86_400, from: day(-1), to: day(1) });

describe('analytics API', () => {
  it('runs a funnel, attribution, KPIs and products for a viewer; 401 without a token', async () => {
    const f = await api('POST', '/api/analytics/funnels', s.viewerToken, { ...funnel(), breakdown: { channel: true } });
    expect(f.statusCode).toBe(200);
    expect(f.json().total.steps.map((x: { count: number }) => x.count)).toEqual([2, 1]);
    const a = await api('POST', '/api/analytics/attribution', s.viewerToken, { from: day(-1), to: day(1) });
    expect(a.statusCode).toBe(200);
    expect(a.json().totals).toMatchObject({ conversions: 1, revenue: 30 });
    expect((await api('GET', `/api/analytics/kpis?date=${day(0)}`, s.viewerToken)).json().kpis.orders.value).toBe(1);
    expect((await api('GET', `/api/analytics/products?from=${day(-1)}&to=${day(1)}`, s.viewerToken)).statusCode).toBe(200);
    expect((await api('POST', '/api/analytics/funnels', null, funnel())).statusCode).toBe(401);
  });

  it('rejects a bad definition with 400 and its path', async () => {
    const res = await api('POST', '/api/analytics/funnels', s.viewerToken, { ...funnel(), mode: "x'; DROP TABLE events" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'INVALID_DEFINITION' });
  });

  it('lists drop-offs for a viewer; saving them as a segment and defining alerts need a marketer', async () => {
    const d = await api('POST', '/api/analytics/funnels/drop-offs', s.viewerToken, { funnel: funnel(), step: 1, as_of: day(5) });
    expect(d.json()).toMatchObject({ step: 1, count: 1 });
    expect((await api('POST', '/api/analytics/funnels/drop-offs/segment', s.viewerToken, { funnel: funnel(), step: 1 })).statusCode).toBe(403);
    const seg = await api('POST', '/api/analytics/funnels/drop-offs/segment', marketer, { funnel: funnel(), step: 1, name: 'Viewed, did not buy' });
    expect(seg.statusCode).toBe(201);
    const rule = { name: 'No orders', kpi: 'orders', condition: 'below', threshold: 1 };
    expect((await api('POST', '/api/analytics/alerts', s.viewerToken, rule)).statusCode).toBe(403);
    const created = await api('POST', '/api/analytics/alerts', marketer, rule);
    expect(created.statusCode).toBe(201);
    expect((await api('GET', '/api/analytics/alerts', s.viewerToken)).json().rules).toHaveLength(1);
    expect((await api('POST', `/api/analytics/alerts/evaluate?date=${day(-30)}`, marketer)).json().notifications).toMatchObject([{ kind: 'fired' }]);
    expect((await api('DELETE', `/api/analytics/alerts/${created.json().id}`, marketer)).json()).toEqual({ deleted: true });
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = (await api('GET', '/docs/json', null)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/analytics/funnels', '/api/analytics/attribution', '/api/analytics/kpis', '/api/analytics/alerts']));
  });

  it('documents the analytics bodies (from the zod schemas) and responses, and still answers bad bodies with zod paths', async () => {
    const doc = (await api('GET', '/docs/json', null)).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/analytics/funnels', '/api/analytics/funnels/drop-offs', '/api/analytics/funnels/drop-offs/segment', '/api/analytics/attribution',
      '/api/analytics/kpis', '/api/analytics/retention', '/api/analytics/products', '/api/analytics/alerts', '/api/analytics/alerts/{id}', '/api/analytics/alerts/evaluate',
    ]));
    const body = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema;
    const funnelBody = body('/api/analytics/funnels');
    expect(funnelBody.properties.steps).toMatchObject({ type: 'array', minItems: 2, items: { properties: { event: { type: 'string' } } } });
    expect(funnelBody.properties.window_seconds).toMatchObject({ type: 'integer', default: 604800 });
    expect(funnelBody.properties.mode.enum).toEqual(['default', 'strict_order', 'strict_deduplication', 'strict_increase']);
    expect(funnelBody.required).toEqual(expect.arrayContaining(['steps', 'from', 'to']));
    expect(funnelBody.required).not.toContain('mode'); // has a default: optional in a request
    expect(body('/api/analytics/funnels/drop-offs/segment').properties).toMatchObject({ funnel: { properties: { steps: { type: 'array' } } }, step: { type: 'integer' }, breakdown_value: { type: 'string' }, name: { type: 'string' } });
    expect(body('/api/analytics/attribution').properties.models.items.enum).toEqual(expect.arrayContaining(['first_touch', 'linear', 'markov']));
    const alertBody = body('/api/analytics/alerts');
    expect(Object.keys(alertBody.properties)).toEqual(expect.arrayContaining(['name', 'kpi', 'channel', 'period', 'condition', 'threshold', 'webhook_url', 'enabled']));
    expect(alertBody.properties.condition.enum).toEqual(['above', 'below', 'change_above', 'change_below']);
    expect(doc.paths['/api/analytics/funnels'].post.responses['200'].content['application/json'].schema.properties).toHaveProperty('total');
    expect(doc.paths['/api/analytics/funnels/drop-offs/segment'].post.responses).toHaveProperty('201');
    expect(doc.paths['/api/analytics/funnels'].post.responses).toHaveProperty('400');

    // Documentation only: zod, not ajv, judges the body.
    const bad = await api('POST', '/api/analytics/funnels', s.viewerToken, { ...funnel(), steps: [{ event: '' }, { event: 'Order Completed' }], window_seconds: 'a week' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_DEFINITION');
    expect(bad.json().error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['steps.0.event', 'window_seconds']);
    const badAlert = await api('POST', '/api/analytics/alerts', marketer, { name: 'x', kpi: 'nope', condition: 'below', threshold: 1 });
    expect(badAlert.json().error).toMatchObject({ code: 'INVALID_DEFINITION', details: { issues: [{ path: 'kpi' }] } });
  });
});
