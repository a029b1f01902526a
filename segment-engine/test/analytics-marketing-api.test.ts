import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Test-only: the real all-in-one server (segment-engine's source never imports ingest-service).
import { startInProcessServer, TEST_JWT_SECRET, type InProcessServer } from '../../ingest-service/test/fixtures/in-process-server.js';
import { signAdminToken } from '../../ingest-service/src/auth/admin-token.js';

/**
 * Over HTTP: on 2025-06-15, d1 lands from facebook (campaign spring) and orders 30 USD; d2 lands direct and
 * orders 10 USD; facebook spend that day 15 USD over 300 impressions and 30 clicks.
 */
let s: InProcessServer;
let marketer: string;
const today = '2025-06-15';

beforeAll(async () => {
  s = await startInProcessServer();
  marketer = await signAdminToken(TEST_JWT_SECRET, { subject: 'm', role: 'marketer' });
  const batch = [
    { type: 'page', anonymousId: 'd1', timestamp: '2025-06-15T10:00:00Z', context: { sessionStart: true, campaign: { source: 'facebook', medium: 'paid_social', name: 'spring' } } },
    { type: 'track', anonymousId: 'd1', event: 'Order Completed', timestamp: '2025-06-15T10:05:00Z', properties: { order_id: 'o1', revenue: 30, currency: 'USD' } },
    { type: 'page', anonymousId: 'd2', timestamp: '2025-06-15T11:00:00Z', context: { sessionStart: true } },
    { type: 'track', anonymousId: 'd2', event: 'Order Completed', timestamp: '2025-06-15T11:05:00Z', properties: { order_id: 'o2', revenue: 10, currency: 'USD' } },
  ].map((x, i) => ({ ...x, messageId: `mk-${i}` }));
  expect((await s.server.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: s.basicAuth }, payload: { batch } })).statusCode).toBe(200);
  await s.server.flush();
  await s.server.store!.client.insert({ table: 'ad_spend', format: 'JSONEachRow', values: [{ source_id: 'src', date: today, channel: 'facebook_ads', utm_source: 'facebook', utm_medium: 'paid_social', campaign_id: 'spring', campaign: 'spring', ad_set_id: 'a', ad_set: 'a', currency: 'USD', impressions: 300, clicks: 30, spend: 15 }] });
});
afterAll(async () => s?.stop());

function api(method: 'GET' | 'POST', url: string, token: string, payload?: object) {
  return s.server.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
}

describe('marketing and channel KPIs over HTTP', () => {
  it('GET /api/analytics/marketing per campaign; ratios without spend are null', async () => {
    const res = await api('GET', `/api/analytics/marketing?date=${today}&group_by=campaign`, s.viewerToken);
    expect(res.statusCode).toBe(200);
    const rows = res.json().rows as { channel: string; campaign: string; kpis: Record<string, { value: number | null }> }[];
    const fb = rows.find((r) => r.channel === 'facebook_ads')!;
    // 30 / 300 = 0.1 CTR, 15 / 30 = 0.5 CPC, 30 / 15 = 2 ROAS, (30 − 15) / 15 = 1 ROI.
    expect(fb).toMatchObject({ campaign: 'spring', kpis: { ctr: { value: 0.1 }, cpc: { value: 0.5 }, revenue: { value: 30 }, roas: { value: 2 }, roi: { value: 1 } } });
    expect(rows.find((r) => r.channel === 'direct')).toMatchObject({ campaign: '(none)', kpis: { revenue: { value: 10 }, roas: { value: null } } });
  });

  it('400 on a bad grouping or date', async () => {
    expect((await api('GET', `/api/analytics/marketing?date=${today}&group_by=ad_set`, s.viewerToken)).statusCode).toBe(400);
    expect((await api('GET', '/api/analytics/marketing?date=yesterday', s.viewerToken)).statusCode).toBe(400);
  });

  it('GET /api/analytics/kpis with a channel: only channel KPIs, ROAS of that channel', async () => {
    const body = (await api('GET', `/api/analytics/kpis?date=${today}&channel=facebook_ads`, s.viewerToken)).json();
    expect(body.channel).toBe('facebook_ads');
    // Facebook's 30 USD / 15 USD spend (the store's 40 / 15 would be 2.67).
    expect(body.kpis).toMatchObject({ orders: { value: 1 }, revenue: { value: 30 }, spend: { value: 15 }, roas: { value: 2 } });
    expect(body.kpis.conversion_rate).toBeUndefined();
    expect(body.notFiltered).toContain('conversion_rate');
  });

  it('400 for a channel that is not one of the channel names (a typo would read as zeros)', async () => {
    const res = await api('GET', `/api/analytics/kpis?date=${today}&channel=facebok_ads`, s.viewerToken);
    expect(res.statusCode).toBe(400);
    const alert = await api('POST', '/api/analytics/alerts', marketer, { name: 'x', kpi: 'revenue', channel: 'facebok_ads', condition: 'above', threshold: 1 });
    expect(alert.statusCode).toBe(400);
    expect(JSON.stringify(alert.json())).toContain('channel');
  });

  it('an alert rule with a channel refuses a KPI without a channel meaning (400 with the path)', async () => {
    const bad = await api('POST', '/api/analytics/alerts', marketer, { name: 'x', kpi: 'cart_abandonment_rate', channel: 'email', condition: 'above', threshold: 0.5 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'INVALID_DEFINITION', details: { issues: [{ path: 'kpi' }] } });
    expect((await api('POST', '/api/analytics/alerts', marketer, { name: 'y', kpi: 'roas', channel: 'facebook_ads', condition: 'below', threshold: 1 })).statusCode).toBe(201);
  });
});
