import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { kpiOverview, nextPurchaseProbability, retentionCohorts } from '../src/analytics/kpi-query.js';
import { bestSellerAttributes, productAnalytics } from '../src/analytics/product-analytics.js';
import { AlertRepository, evaluateAlerts, signWebhook } from '../src/analytics/alerts.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

/**
 * Day 2024-05-10 (previous day 05-09; 1 USD = 0.5 EUR):
 * - u1: first seen 05-10, facebook landing, adds p1, orders p1 100 USD → new visitor.
 * - u2: first seen 05-01 (direct); 05-10 direct landing, adds p2, no order → abandoned cart, returning.
 * - u3: ordered on 04-20 (first seen); 05-10 email landing, signs up, orders 2 × p2 at 25 EUR = 100 USD
 *       via affiliate aff1, reviews 4 stars, p2 refunded → returning, repeat buyer.
 * - u4: 05-09 direct landing, order 40 USD.
 * Ads: 05-10 1000 impressions, 50 clicks, 100 USD; 05-09 500, 10, 20 USD.
 */
let db: EngineStore;
const sess = (u: string, ts: string, extra: Record<string, unknown> = {}) => ({ user_id: u, type: 'page', timestamp: ts, context: { sessionStart: true }, ...extra });

beforeAll(async () => {
  db = await startEngineStore();
  await db.insertEvents([
    sess('u1', '2024-05-10 10:00:00', { fbclid: 'f', utm_source: 'facebook' }),
    { user_id: 'u1', event: 'Product Viewed', timestamp: '2024-05-10 10:01:00', properties: { product_id: 'p1', name: 'Shoe', category: 'shoes', brand: 'X' } },
    { user_id: 'u1', event: 'Product Added', timestamp: '2024-05-10 10:02:00', properties: { product_id: 'p1', category: 'shoes', brand: 'X' } },
    { user_id: 'u1', event: 'Order Completed', timestamp: '2024-05-10 10:03:00', order_id: 'o1', revenue: 100, currency: 'USD', properties: { products: [{ product_id: 'p1', price: 100, quantity: 1 }] } },
    sess('u2', '2024-05-01 09:00:00'),
    sess('u2', '2024-05-10 11:00:00'),
    { user_id: 'u2', event: 'Product Added', timestamp: '2024-05-10 11:01:00', properties: { product_id: 'p2', name: 'Hat', category: 'hats', brand: 'Y' } },
    { user_id: 'u3', event: 'Order Completed', timestamp: '2024-04-20 12:00:00', order_id: 'o0', revenue: 10, currency: 'USD' },
    sess('u3', '2024-05-10 12:00:00', { utm_source: 'newsletter', utm_medium: 'email' }),
    { user_id: 'u3', event: 'Signed Up', timestamp: '2024-05-10 12:01:00' },
    { user_id: 'u3', event: 'Order Completed', timestamp: '2024-05-10 12:02:00', order_id: 'o3', revenue: 50, currency: 'EUR', properties: { affiliate_id: 'aff1', products: [{ product_id: 'p2', price: 25, quantity: 2 }] } },
    { user_id: 'u3', event: 'Product Reviewed', timestamp: '2024-05-10 12:03:00', properties: { product_id: 'p2', rating: 4 } },
    { user_id: 'u3', event: 'Order Refunded', timestamp: '2024-05-10 13:00:00', properties: { order_id: 'o3', currency: 'EUR', products: [{ product_id: 'p2', price: 25, quantity: 2 }] } },
    sess('u4', '2024-05-09 10:00:00'),
    { user_id: 'u4', event: 'Order Completed', timestamp: '2024-05-09 10:05:00', order_id: 'o4', revenue: 40, currency: 'USD' },
  ]);
  await db.store.client.insert({ table: 'exchange_rates', values: [{ date: '2024-05-01', currency: 'EUR', usd_rate: 0.5 }], format: 'JSONEachRow' });
  const ad = { source_id: 'src', channel: 'facebook_ads', utm_source: 'facebook', utm_medium: 'paid_social', campaign_id: 'c', campaign: 'c', ad_set_id: 'a', ad_set: 'a', currency: 'USD' };
  await db.store.client.insert({ table: 'ad_spend', format: 'JSONEachRow', values: [{ ...ad, date: '2024-05-10', impressions: 1000, clicks: 50, spend: 100 }, { ...ad, date: '2024-05-09', impressions: 500, clicks: 10, spend: 20 }] });
  await refreshEngine(db.store.client, db.store, {}, new Date('2024-05-11T00:00:00Z'));
});
afterAll(async () => db?.stop());

describe('KPIs', () => {
  it('computes the day with its day-over-day change (no data a month / year before: null)', async () => {
    const o = await kpiOverview(db.store.client, { date: '2024-05-10' });
    const v = Object.fromEntries(Object.entries(o.kpis).map(([k, x]) => [k, x.value]));
    expect(v).toEqual({
      sessions: 3, visitors: 3, new_visitors: 1, returning_visitors: 2, orders: 2, revenue: 200, conversion_rate: 0.666667,
      average_order_value: 100, cart_abandonment_rate: 0.5, repurchase_rate: 0.5, signups: 1, reviews: 1, average_rating: 4,
      affiliate_revenue: 100, impressions: 1000, clicks: 50, spend: 100, ctr: 0.05, cpc: 2, roas: 2,
      // o1 (u1, no review), o3 (u3, reviewed a minute later): 1 of 2.
      review_share: 0.5,
    });
    expect(o.channel).toBeNull();
    // 05-09: o4 without a review → 0, so no relative change.
    expect(o.kpis.review_share).toMatchObject({ previous: 0, dod: null });
    expect(o.kpis.revenue).toMatchObject({ previous: 40, dod: 4, mom: null, yoy: null });
    expect(o.kpis.sessions).toMatchObject({ previous: 1, dod: 2 });
    expect(o.kpis.spend).toMatchObject({ previous: 20, dod: 4 });
    expect(o.byChannel).toEqual(expect.arrayContaining([
      { channel: 'facebook_ads', sessions: 1, visitors: 1, newVisitors: 1, returningVisitors: 0 },
      { channel: 'direct', sessions: 1, visitors: 1, newVisitors: 0, returningVisitors: 1 },
      { channel: 'email', sessions: 1, visitors: 1, newVisitors: 0, returningVisitors: 1 },
    ]));
  });

  it('a channel filter: sessions by landing channel, orders/revenue by attributed channel, ROAS of that channel only', async () => {
    const o = await kpiOverview(db.store.client, { date: '2024-05-10', channel: 'facebook_ads' });
    const v = Object.fromEntries(Object.entries(o.kpis).map(([k, x]) => [k, x.value]));
    // u1 landed from facebook and ordered 100 USD; facebook spend 100 → ROAS 1 (blended: 200 / 100 = 2).
    expect(v).toEqual({
      sessions: 1, visitors: 1, new_visitors: 1, returning_visitors: 0, orders: 1, revenue: 100, average_order_value: 100,
      impressions: 1000, clicks: 50, spend: 100, ctr: 0.05, cpc: 2, roas: 1,
    });
    expect(o.channel).toBe('facebook_ads');
    expect('notFiltered' in o && o.notFiltered).toEqual(expect.arrayContaining(['conversion_rate', 'reviews', 'review_share', 'signups']));
    expect(o.byChannel).toEqual([{ channel: 'facebook_ads', sessions: 1, visitors: 1, newVisitors: 1, returningVisitors: 0 }]);
    // 05-09: no facebook session or order, spend 20 → ROAS 0.
    expect(o.kpis.roas).toMatchObject({ previous: 0, dod: null });
    expect(o.kpis.spend).toMatchObject({ previous: 20, dod: 4 });
    // Email (u3, 100 USD after an email landing) has no spend: ROAS 0, revenue 100; direct: u2's session, no order on 05-10.
    const email = await kpiOverview(db.store.client, { date: '2024-05-10', channel: 'email' });
    expect(email.kpis).toMatchObject({ sessions: { value: 1 }, orders: { value: 1 }, revenue: { value: 100 }, spend: { value: 0 }, roas: { value: 0 } });
    const direct = await kpiOverview(db.store.client, { date: '2024-05-10', channel: 'direct' });
    expect(direct.kpis).toMatchObject({ sessions: { value: 1, previous: 1 }, visitors: { value: 1 }, orders: { value: 0, previous: 1 }, revenue: { value: 0, previous: 40 } });
  });

  it('next-purchase probability by past orders and retention cohorts', async () => {
    expect(await nextPurchaseProbability(db.store.client, 2)).toEqual([{ pastOrders: 1, customers: 3, probability: 1 / 3 }, { pastOrders: 2, customers: 1, probability: 0 }]);
    const cohorts = await retentionCohorts(db.store.client, '2024-04-01', 2);
    expect(cohorts).toEqual([{ cohort: '2024-04-01', size: 1, retained: [1, 1] }, { cohort: '2024-05-01', size: 3, retained: [1, 0] }]);
  });
});

describe('product analytics', () => {
  it('views, adds, orders, revenue in USD and refunds per product; best sellers and what they share', async () => {
    const rows = await productAnalytics(db.store.client, { from: '2024-05-01', to: '2024-05-11' });
    expect(rows).toEqual([
      { productId: 'p1', name: 'Shoe', category: 'shoes', brand: 'X', views: 1, adds: 1, orders: 1, units: 1, revenue: 100, refunds: 0, refundedRevenue: 0, addToCartRate: 1, conversionRate: 1, tags: [], priceBand: '100-200' },
      { productId: 'p2', name: 'Hat', category: 'hats', brand: 'Y', views: 0, adds: 1, orders: 1, units: 2, revenue: 100, refunds: 1, refundedRevenue: 100, addToCartRate: 0, conversionRate: 0, tags: [], priceBand: '50-100' },
    ]);
    const shared = await bestSellerAttributes(db.store.client, { from: '2024-05-01', to: '2024-05-11' }, 1);
    expect(shared).toEqual([
      { attribute: 'brand', value: 'X', bestSellers: 1, products: 1, shareOfBestSellers: 1, shareOfProducts: 0.5, lift: 2 },
      { attribute: 'category', value: 'shoes', bestSellers: 1, products: 1, shareOfBestSellers: 1, shareOfProducts: 0.5, lift: 2 },
      { attribute: 'price_band', value: '100-200', bestSellers: 1, products: 1, shareOfBestSellers: 1, shareOfProducts: 0.5, lift: 2 },
    ]);
  });
});

describe('alerts', () => {
  it('fires once per breach to a signed webhook and the log, and again only after recovering', async () => {
    const received: { body: string; signature: string | undefined }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ body, signature: req.headers['x-sextant-signature'] as string | undefined });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const logs: string[] = [];
    const options = { webhookSecret: 's3cret', log: (m: string) => logs.push(m) };
    try {
      const repo = new AlertRepository(db.store.client);
      await repo.create({ name: 'Revenue jump', kpi: 'revenue', condition: 'change_above', threshold: 1, webhook_url: url });
      // 05-10: revenue +400 % vs 05-09 → fires.
      expect((await evaluateAlerts(db.store.client, '2024-05-10', options)).map((n) => n.kind)).toEqual(['fired']);
      expect(received).toHaveLength(1);
      expect(received[0]!.signature).toBe(`sha256=${signWebhook('s3cret', received[0]!.body)}`);
      expect(JSON.parse(received[0]!.body)).toMatchObject({ type: 'alert.fired', rule: { kpi: 'revenue' }, value: 4 });
      expect(logs).toHaveLength(1);
      // Still breached on the next run: nothing new.
      expect(await evaluateAlerts(db.store.client, '2024-05-10', options)).toEqual([]);
      expect(received).toHaveLength(1);
      // 05-11 (no revenue: −100 %): recovers, no webhook.
      expect((await evaluateAlerts(db.store.client, '2024-05-11', options)).map((n) => n.kind)).toEqual(['recovered']);
      expect(received).toHaveLength(1);
      // Breached again: fires again.
      expect((await evaluateAlerts(db.store.client, '2024-05-10', options)).map((n) => n.kind)).toEqual(['fired']);
      expect(received).toHaveLength(2);
      expect(await repo.history()).toHaveLength(3);
    } finally {
      server.close();
    }
  });
});
