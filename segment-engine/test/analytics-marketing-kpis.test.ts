import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { kpiOverview } from '../src/analytics/kpi-query.js';
import { marketingKpis } from '../src/analytics/marketing-kpis.js';
import { runAttribution } from '../src/analytics/run-attribution.js';
import { AlertRepository, evaluateAlerts } from '../src/analytics/alerts.js';
import { DefinitionError } from '../src/errors.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

/**
 * Day 2025-06-15 with its windows: previous day 06-14 (DoD), 30 days before 05-16 (MoM), 365 days
 * before 2024-06-15 (YoY). 1 USD = 0.5 EUR.
 *
 * Orders (attribution: last non-direct touch within 30 days, else direct):
 * - 06-15 p1: facebook/spring landing, order 300 USD, reviews 1 h later (5 stars)  → facebook_ads/spring
 * - 06-15 p2: google/brand landing on 06-10, direct landing 06-15, order 50 USD      → google_ads/brand
 * - 06-15 p3: facebook/summer landing on 05-01 (45 days before), direct 06-15, 80 USD → direct
 * - 06-15 p4: direct landing, order 20 EUR = 40 USD                                   → direct
 * - 06-15 p5: facebook/summer landing, no order
 * - 06-14 p6: facebook/spring landing, order 100 USD                                  → facebook_ads/spring
 * - 05-16 p7: facebook/spring landing, order 100 USD, review on 05-20 (within 30 d)  → facebook_ads/spring
 * - 05-16 p8: google/brand landing, order 100 USD                                     → google_ads/brand
 * - 2024-06-15 p9: facebook/spring landing, order 200 USD, review same day (3 stars) → facebook_ads/spring
 *
 * Ads (impressions, clicks, spend USD):
 * - facebook spring: 06-15 2000/100/200; 06-14 1000/40/100; 05-16 1000/50/50; 2024-06-15 4000/80/100 EUR (= 200 USD)
 * - facebook summer: 06-15 1000/20/100
 * - google brand:    06-15 500/50/25;   05-16 500/25/25
 */
let db: EngineStore;
const fb = (campaign: string) => ({ utm_source: 'facebook', utm_medium: 'paid_social', utm_campaign: campaign });
const google = { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand' };
const land = (u: string, ts: string, extra: Record<string, unknown> = {}) => ({ user_id: u, type: 'page', timestamp: ts, context: { sessionStart: true }, ...extra });
const order = (u: string, ts: string, revenue: number, currency = 'USD') => ({ user_id: u, event: 'Order Completed', timestamp: ts, order_id: `o-${u}-${ts}`, revenue, currency });
const review = (u: string, ts: string, rating: number) => ({ user_id: u, event: 'Product Reviewed', timestamp: ts, properties: { product_id: 'p', rating } });

beforeAll(async () => {
  db = await startEngineStore();
  await db.insertEvents([
    land('p1', '2025-06-15 10:00:00', fb('spring')), order('p1', '2025-06-15 10:05:00', 300), review('p1', '2025-06-15 11:05:00', 5),
    land('p2', '2025-06-10 08:00:00', google), land('p2', '2025-06-15 09:00:00'), order('p2', '2025-06-15 09:10:00', 50),
    land('p3', '2025-05-01 08:00:00', fb('summer')), land('p3', '2025-06-15 12:00:00'), order('p3', '2025-06-15 12:10:00', 80),
    land('p4', '2025-06-15 13:00:00'), order('p4', '2025-06-15 13:10:00', 20, 'EUR'),
    land('p5', '2025-06-15 14:00:00', fb('summer')),
    land('p6', '2025-06-14 10:00:00', fb('spring')), order('p6', '2025-06-14 10:05:00', 100),
    land('p7', '2025-05-16 10:00:00', fb('spring')), order('p7', '2025-05-16 10:05:00', 100), review('p7', '2025-05-20 10:00:00', 4),
    land('p8', '2025-05-16 11:00:00', google), order('p8', '2025-05-16 11:05:00', 100),
    land('p9', '2024-06-15 10:00:00', fb('spring')), order('p9', '2024-06-15 10:05:00', 200), review('p9', '2024-06-15 12:00:00', 3),
  ]);
  await db.store.client.insert({ table: 'exchange_rates', values: [{ date: '2024-01-01', currency: 'EUR', usd_rate: 0.5 }], format: 'JSONEachRow' });
  const ad = (channel: string, utm_source: string, campaign: string, date: string, impressions: number, clicks: number, spend: number, currency = 'USD') =>
    ({ source_id: 'src', channel, utm_source, utm_medium: 'x', campaign_id: campaign, campaign, ad_set_id: 'a', ad_set: 'a', currency, date, impressions, clicks, spend });
  await db.store.client.insert({
    table: 'ad_spend', format: 'JSONEachRow', values: [
      ad('facebook_ads', 'facebook', 'spring', '2025-06-15', 2000, 100, 200), ad('facebook_ads', 'facebook', 'spring', '2025-06-14', 1000, 40, 100),
      ad('facebook_ads', 'facebook', 'spring', '2025-05-16', 1000, 50, 50), ad('facebook_ads', 'facebook', 'spring', '2024-06-15', 4000, 80, 100, 'EUR'),
      ad('facebook_ads', 'facebook', 'summer', '2025-06-15', 1000, 20, 100),
      ad('google_ads', 'google', 'brand', '2025-06-15', 500, 50, 25), ad('google_ads', 'google', 'brand', '2025-05-16', 500, 25, 25),
    ],
  });
  await refreshEngine(db.store.client, db.store, {}, new Date('2025-06-16T00:00:00Z'));
});
afterAll(async () => db?.stop());

describe('KPI overview: month-over-month and year-over-year', () => {
  it('checks values and all three changes against hand-computed windows', async () => {
    const o = await kpiOverview(db.store.client, { date: '2025-06-15' });
    // Sessions: 5 (p1–p5) vs 1 (p6), 2 (p7, p8), 1 (p9).
    expect(o.kpis.sessions).toEqual({ value: 5, previous: 1, dod: 4, mom: 1.5, yoy: 4 });
    // Orders 4 / revenue 300 + 50 + 80 + 40 = 470 vs 1 / 100, 2 / 200, 1 / 200.
    expect(o.kpis.orders).toEqual({ value: 4, previous: 1, dod: 3, mom: 1, yoy: 3 });
    expect(o.kpis.revenue).toEqual({ value: 470, previous: 100, dod: 3.7, mom: 1.35, yoy: 1.35 });
    // AOV 117.5 vs 100, 100, 200.
    expect(o.kpis.average_order_value).toEqual({ value: 117.5, previous: 100, dod: 0.175, mom: 0.175, yoy: -0.4125 });
    // Spend 325 vs 100, 75, 200; blended ROAS 470 / 325 vs 1, 200 / 75, 1.
    expect(o.kpis.spend).toEqual({ value: 325, previous: 100, dod: 2.25, mom: 3.333333, yoy: 0.625 });
    expect(o.kpis.roas).toEqual({ value: 1.446154, previous: 1, dod: 0.446154, mom: -0.457692, yoy: 0.446154 });
    // Average rating 5 vs 3 a year before (no review on 05-16 itself: p7 reviewed on 05-20).
    expect(o.kpis.average_rating).toMatchObject({ value: 5, mom: null, yoy: 0.666667 });
  });

  it('review share: orders followed by a review of the same person within 30 days', async () => {
    const o = await kpiOverview(db.store.client, { date: '2025-06-15' });
    // 06-15: p1 of 4 → 0.25; 06-14: p6 not → 0; 05-16: p7 (review 4 days later) of p7, p8 → 0.5; 2024-06-15: p9 → 1.
    expect(o.kpis.review_share).toEqual({ value: 0.25, previous: 0, dod: null, mom: -0.5, yoy: -0.75 });
  });

  it('month period: the 30 days ending on the date vs the 30 before and the same 30 days a year before', async () => {
    const o = await kpiOverview(db.store.client, { date: '2025-06-15', period: 'month' });
    // [05-17, 06-16): p1–p4, p6 → 5 orders, 570 USD; [04-17, 05-17) (previous = MoM): p7, p8 → 200; a year before: p9 → 200.
    expect(o.kpis.orders).toEqual({ value: 5, previous: 2, dod: 1.5, mom: 1.5, yoy: 4 });
    expect(o.kpis.revenue).toEqual({ value: 570, previous: 200, dod: 1.85, mom: 1.85, yoy: 1.85 });
    // Spend 200 + 100 + 100 + 25 = 425 vs 75 vs 200.
    expect(o.kpis.spend).toEqual({ value: 425, previous: 75, dod: 4.666667, mom: 4.666667, yoy: 1.125 });
  });

  it('a channel filter applies to sessions, orders, revenue and spend alike (ROAS of that channel only)', async () => {
    const o = await kpiOverview(db.store.client, { date: '2025-06-15', channel: 'facebook_ads' });
    // Sessions p1, p5 vs p6, p7, p9; orders p1 300 vs p6 100, p7 100, p9 200; spend 300 vs 100, 50, 200.
    expect(o.kpis).toMatchObject({
      sessions: { value: 2, previous: 1, dod: 1, mom: 1, yoy: 1 },
      visitors: { value: 2 }, new_visitors: { value: 2 },
      orders: { value: 1, previous: 1, dod: 0, mom: 0, yoy: 0 },
      revenue: { value: 300, previous: 100, dod: 2, mom: 2, yoy: 0.5 },
      spend: { value: 300, previous: 100, dod: 2, mom: 5, yoy: 0.5 },
      // 300 / 300 vs 100 / 100, 100 / 50, 200 / 200 (blended: 470 / 325).
      roas: { value: 1, previous: 1, dod: 0, mom: -0.5, yoy: 0 },
    });
    expect(o.kpis).not.toHaveProperty('conversion_rate');
    expect(o.kpis).not.toHaveProperty('review_share');
    // Direct: p3 (facebook touch out of the 30-day lookback) and p4; p2 goes to google.
    const direct = await kpiOverview(db.store.client, { date: '2025-06-15', channel: 'direct' });
    expect(direct.kpis).toMatchObject({ sessions: { value: 3 }, orders: { value: 2 }, revenue: { value: 120 }, spend: { value: 0 }, roas: { value: 0 } });
  });
});

describe('marketing KPIs', () => {
  it('per channel: CTR, CPC, ROAS, ROI with DoD/MoM/YoY', async () => {
    const m = await marketingKpis(db.store.client, { date: '2025-06-15' });
    expect(m.attribution).toEqual({ model: 'last_non_direct', lookbackDays: 30 });
    expect(m.rows.map((r) => `${r.channel}|${r.campaign}`)).toEqual(['direct|', 'facebook_ads|', 'google_ads|']);
    const [direct, facebook, google] = m.rows as [typeof m.rows[0], typeof m.rows[0], typeof m.rows[0]];
    // Facebook: 3000 impressions, 120 clicks, 300 USD, 1 order 300 USD; 06-14: 1000/40/100, 100;
    // 05-16: 1000/50/50, 100; 2024-06-15: 4000/80/200, 200.
    expect(facebook.kpis).toEqual({
      impressions: { value: 3000, previous: 1000, dod: 2, mom: 2, yoy: -0.25 },
      clicks: { value: 120, previous: 40, dod: 2, mom: 1.4, yoy: 0.5 },
      ctr: { value: 0.04, previous: 0.04, dod: 0, mom: -0.2, yoy: 1 },
      cpc: { value: 2.5, previous: 2.5, dod: 0, mom: 1.5, yoy: 0 },
      spend: { value: 300, previous: 100, dod: 2, mom: 5, yoy: 0.5 },
      orders: { value: 1, previous: 1, dod: 0, mom: 0, yoy: 0 },
      revenue: { value: 300, previous: 100, dod: 2, mom: 2, yoy: 0.5 },
      roas: { value: 1, previous: 1, dod: 0, mom: -0.5, yoy: 0 },
      roi: { value: 0, previous: 0, dod: null, mom: -1, yoy: null },
    });
    // Google: 500/50/25, p2's 50 USD (last non-direct touch 5 days before); 05-16: 500/25/25, 100; nothing else.
    expect(google.kpis).toMatchObject({
      ctr: { value: 0.1, previous: null, dod: null, mom: 1, yoy: null },
      cpc: { value: 0.5, mom: -0.5 },
      revenue: { value: 50, previous: 0, dod: null, mom: -0.5 },
      roas: { value: 2, mom: -0.5 },
      roi: { value: 1, mom: -0.666667 },
    });
    // Direct: p3 and p4, no ads: ratios have no value.
    expect(direct.kpis).toMatchObject({ orders: { value: 2 }, revenue: { value: 120 }, spend: { value: 0 }, ctr: { value: null }, roas: { value: null }, roi: { value: null } });
  });

  it('per campaign: spring and summer apart', async () => {
    const m = await marketingKpis(db.store.client, { date: '2025-06-15', group_by: 'campaign' });
    expect(m.rows.map((r) => `${r.channel}|${r.campaign}`)).toEqual(['direct|(none)', 'facebook_ads|spring', 'facebook_ads|summer', 'google_ads|brand']);
    const spring = m.rows[1]!.kpis;
    const summer = m.rows[2]!.kpis;
    // Spring 2000/100/200, 300 USD vs 1000/40/100, 100; 1000/50/50, 100; 4000/80/200, 200.
    expect(spring).toMatchObject({
      ctr: { value: 0.05, previous: 0.04, dod: 0.25, mom: 0, yoy: 1.5 },
      cpc: { value: 2, previous: 2.5, dod: -0.2, mom: 1, yoy: -0.2 },
      revenue: { value: 300, dod: 2, mom: 2, yoy: 0.5 },
      roas: { value: 1.5, previous: 1, dod: 0.5, mom: -0.25, yoy: 0.5 },
      roi: { value: 0.5, previous: 0, dod: null, mom: -0.5, yoy: null },
    });
    // Summer 1000/20/100 and no attributed order (p5 did not buy, p3's touch is too old).
    expect(summer).toMatchObject({
      ctr: { value: 0.02 }, cpc: { value: 5 }, orders: { value: 0 }, revenue: { value: 0 },
      roas: { value: 0, previous: null, dod: null }, roi: { value: -1, previous: null, dod: null },
    });
  });

  it('attributed revenue agrees with the attribution API last_non_direct model', async () => {
    const m = await marketingKpis(db.store.client, { date: '2025-06-15', group_by: 'campaign' });
    const a = await runAttribution(db.store.client, { from: '2025-06-15', to: '2025-06-16', models: ['last_non_direct'], group_by: 'campaign' });
    const fromAttribution = Object.fromEntries(a.rows.filter((r) => (r.models.last_non_direct?.revenue ?? 0) > 0).map((r) => [`${r.channel}|${r.campaign}`, r.models.last_non_direct!.revenue]));
    const fromKpis = Object.fromEntries(m.rows.filter((r) => (r.kpis.revenue.value ?? 0) > 0).map((r) => [`${r.channel}|${r.campaign}`, r.kpis.revenue.value]));
    expect(fromKpis).toEqual({ 'direct|(none)': 120, 'facebook_ads|spring': 300, 'google_ads|brand': 50 });
    expect(fromAttribution).toEqual(fromKpis);
  });

  it('rejects bad input', async () => {
    await expect(marketingKpis(db.store.client, { date: '2025-06-15', group_by: 'ad_set' as never })).rejects.toBeInstanceOf(DefinitionError);
    await expect(marketingKpis(db.store.client, { date: '15/06/2025' })).rejects.toBeInstanceOf(DefinitionError);
  });
});

describe('alerts with a channel filter', () => {
  it('evaluate the filtered KPI, not the whole store', async () => {
    const repo = new AlertRepository(db.store.client);
    const logs: string[] = [];
    const options = { webhookSecret: 's', log: (m: string) => logs.push(m) };
    // Facebook revenue 300 < 400 and ROAS 1 < 1.2 fire; the store's 470 and 1.446 would not.
    const fbRevenue = await repo.create({ name: 'FB revenue low', kpi: 'revenue', channel: 'facebook_ads', condition: 'below', threshold: 400 });
    const fbRoas = await repo.create({ name: 'FB ROAS low', kpi: 'roas', channel: 'facebook_ads', condition: 'below', threshold: 1.2 });
    await repo.create({ name: 'Store revenue low', kpi: 'revenue', condition: 'below', threshold: 400 });
    // Facebook spend +200 % vs 06-14 (above 1.5).
    const fbSpend = await repo.create({ name: 'FB spend jump', kpi: 'spend', channel: 'facebook_ads', condition: 'change_above', threshold: 1.5 });
    const fired = await evaluateAlerts(db.store.client, '2025-06-15', options);
    expect(fired.map((n) => [n.rule.id, n.kind, n.value]).sort()).toEqual([
      [fbRevenue.id, 'fired', 300], [fbRoas.id, 'fired', 1], [fbSpend.id, 'fired', 2],
    ].sort());
  });

  it('refuses a channel on a KPI without a channel meaning', async () => {
    await expect(new AlertRepository(db.store.client).create({ name: 'x', kpi: 'conversion_rate', channel: 'email', condition: 'below', threshold: 0.1 })).rejects.toBeInstanceOf(DefinitionError);
  });
});
