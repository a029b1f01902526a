import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bestSellerAttributes, productAnalytics, productGroupAnalytics } from '../src/analytics/product-analytics.js';
import { analyticsRoutes } from '../src/routes/analytics-routes.js';
import { startEngineStore, type TestEvent, type EngineStore } from './fixtures/engine-store.js';

/**
 * 2024-06-01..06-08 (1 USD = 0.5 EUR). Products (category, brand, tags, unit price USD):
 * - A Shoes/North [linen, bestseller] 100;  B Shoes/South "summer, linen" (a comma string) 40;
 * - C Hats/North [summer] 20;               D Hats/North (no tags) 250;
 * - E Bags/South [bestseller] 60;           42 (a numeric id) Bags, no brand or tags, 10.
 * Views A 4, B 2, C 5, D 1, E 3, 42 1 (+ one of A on 05-31: outside the range); adds A 2, B 1, C 1, D 1.
 * Orders: o1 A 100 + B 40 (USD); o2 A 50 EUR = 100 + C 2 × 10 EUR = 40 (EUR); o3 D 250; o4 C 20.
 * Refunds: o2's C (2 × 10 EUR = 40 USD), o1's B (40 USD).
 * Per product (views, adds, orders, units, revenue, refunds, refunded): A 4 2 2 2 200 0 0; B 2 1 1 1 40 1 40;
 *   C 5 1 2 3 60 1 40; D 1 1 1 1 250 0 0; E 3 0 0 0 0 0 0; 42 1 0 0 0 0 0 0.
 * Per category (distinct orders: o1 holds A and B, counted once):
 *   Hats (C, D) 6 2 3 4 310 1 40 → add-to-cart 2/6, conversion 3/6; Shoes (A, B) 6 3 2 3 240 1 40 → 3/6, 2/6;
 *   Bags (E, 42) 4 0 0 0 0 0 0.
 * Per tag (a product in each of its tags): (none) (D, 42) 2 1 1 1 250 0 0; linen (A, B) 6 3 2 3 240 1 40;
 *   bestseller (A, E) 7 2 2 2 200 0 0; summer (B, C) 7 2 3 4 100 2 80 (o1, o2 refunded).
 * Best sellers, top 2 by revenue of the 4 products sold (A, B, C, D): D 250, A 200. Share among the two
 * vs among the four, lift: brand North (A, C, D) 2/2 vs 3/4 → 4/3; category Hats (C, D) and Shoes (A, B)
 * 1/2 vs 2/4 → 1; price band 100-200 (A) and 200+ (D) 1/2 vs 1/4 → 2; tag bestseller (A; E sold
 * nothing) 1/2 vs 1/4 → 2; tag linen (A, B) 1/2 vs 2/4 → 1. South, summer, 25-50, <25: no best seller.
 */
const RANGE = { from: '2024-06-01', to: '2024-06-08' };
let db: EngineStore;

const PRODUCTS: Record<string, Record<string, unknown>> = {
  A: { product_id: 'A', name: 'Runner', category: 'Shoes', brand: 'North', tags: ['linen', 'bestseller'], price: 100 },
  B: { product_id: 'B', name: 'Slip-On', category: 'Shoes', brand: 'South', tags: 'summer, linen', price: 40 },
  C: { product_id: 'C', name: 'Cap', category: 'Hats', brand: 'North', tags: ['summer'], price: 20 },
  D: { product_id: 'D', name: 'Panama', category: 'Hats', brand: 'North', price: 250 },
  E: { product_id: 'E', name: 'Tote', category: 'Bags', brand: 'South', tags: ['bestseller'], price: 60 },
  F: { product_id: 42, name: 'Pouch', category: 'Bags', price: 10 },
};

beforeAll(async () => {
  db = await startEngineStore();
  let minute = 0;
  const at = () => new Date(Date.UTC(2024, 5, 2, 10) + minute++ * 60_000).toISOString(); // one a minute from 06-02 10:00
  const times = (n: number, e: () => TestEvent) => Array.from({ length: n }, e);
  const view = (p: string) => ({ user_id: 'u', event: 'Product Viewed', timestamp: at(), properties: { ...PRODUCTS[p], currency: 'USD' } });
  const add = (p: string) => ({ user_id: 'u', event: 'Product Added', timestamp: at(), properties: { ...PRODUCTS[p], currency: 'USD', quantity: 1 } });
  const line = (id: string | number, price: number, quantity = 1) => ({ product_id: id, price, quantity });
  await db.insertEvents([
    { user_id: 'u', event: 'Product Viewed', timestamp: '2024-05-31 12:00:00', properties: PRODUCTS.A },
    ...times(4, () => view('A')), ...times(2, () => view('B')), ...times(5, () => view('C')), view('D'), ...times(3, () => view('E')), view('F'),
    ...times(2, () => add('A')), add('B'), add('C'), add('D'),
    { user_id: 'u', event: 'Order Completed', timestamp: '2024-06-05 10:00:00', order_id: 'o1', currency: 'USD', properties: { products: [line('A', 100), line('B', 40)] } },
    { user_id: 'u', event: 'Order Completed', timestamp: '2024-06-05 11:00:00', order_id: 'o2', currency: 'EUR', properties: { products: [line('A', 50), line('C', 10, 2)] } },
    { user_id: 'u', event: 'Order Completed', timestamp: '2024-06-05 12:00:00', order_id: 'o3', currency: 'USD', properties: { products: [line('D', 250)] } },
    { user_id: 'u', event: 'Order Completed', timestamp: '2024-06-05 13:00:00', order_id: 'o4', currency: 'USD', properties: { products: [line('C', 20)] } },
    { user_id: 'u', event: 'Order Refunded', timestamp: '2024-06-06 10:00:00', properties: { order_id: 'o2', currency: 'EUR', products: [line('C', 10, 2)] } },
    { user_id: 'u', event: 'Order Refunded', timestamp: '2024-06-06 11:00:00', properties: { order_id: 'o1', currency: 'USD', products: [line('B', 40)] } },
  ]);
  await db.store.client.insert({ table: 'exchange_rates', values: [{ date: '2024-05-01', currency: 'EUR', usd_rate: 0.5 }], format: 'JSONEachRow' });
});
afterAll(async () => db?.stop());

/** [views, adds, orders, units, revenue, refunds, refundedRevenue, addToCartRate, conversionRate] */
const figures = (r: { views: number; adds: number; orders: number; units: number; revenue: number; refunds: number; refundedRevenue: number; addToCartRate: number; conversionRate: number }) =>
  [r.views, r.adds, r.orders, r.units, r.revenue, r.refunds, r.refundedRevenue, r.addToCartRate, r.conversionRate];

describe('product analytics per product', () => {
  it('counts views, adds, distinct orders, units, revenue and refunds in USD, with tags and price band', async () => {
    const rows = await productAnalytics(db.store.client, RANGE);
    expect(rows.map((r) => [r.productId, ...figures(r)])).toEqual([
      ['D', 1, 1, 1, 1, 250, 0, 0, 1, 1],
      ['A', 4, 2, 2, 2, 200, 0, 0, 0.5, 0.5],
      ['C', 5, 1, 2, 3, 60, 1, 40, 0.2, 0.4],
      ['B', 2, 1, 1, 1, 40, 1, 40, 0.5, 0.5],
      ['42', 1, 0, 0, 0, 0, 0, 0, 0, 0],
      ['E', 3, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
    const byId = Object.fromEntries(rows.map((r) => [r.productId, [r.category, r.brand, r.tags, r.priceBand]]));
    expect(byId).toEqual({
      A: ['Shoes', 'North', ['linen', 'bestseller'], '100-200'], B: ['Shoes', 'South', ['summer', 'linen'], '25-50'],
      C: ['Hats', 'North', ['summer'], '<25'], D: ['Hats', 'North', [], '200+'], E: ['Bags', 'South', ['bestseller'], '50-100'], 42: ['Bags', '', [], '<25'],
    });
    expect((await productAnalytics(db.store.client, RANGE, { orderBy: 'views', limit: 2 })).map((r) => r.productId)).toEqual(['C', 'A']);
  });
});

describe('product analytics per category and per tag', () => {
  it('per category: sums of its products, an order with two of them counted once', async () => {
    const rows = await productGroupAnalytics(db.store.client, RANGE, 'category');
    expect(rows.map((r) => [r.value, r.products, ...figures(r)])).toEqual([
      ['Hats', 2, 6, 2, 3, 4, 310, 1, 40, 2 / 6, 3 / 6],
      ['Shoes', 2, 6, 3, 2, 3, 240, 1, 40, 3 / 6, 2 / 6],
      ['Bags', 2, 4, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
  });

  it('per tag: a product in each of its tags (JSON array or comma string), untagged products under (none)', async () => {
    const rows = await productGroupAnalytics(db.store.client, RANGE, 'tag');
    expect(rows.map((r) => [r.value, r.products, ...figures(r)])).toEqual([
      ['(none)', 2, 2, 1, 1, 1, 250, 0, 0, 0.5, 0.5],
      ['linen', 2, 6, 3, 2, 3, 240, 1, 40, 3 / 6, 2 / 6],
      ['bestseller', 2, 7, 2, 2, 2, 200, 0, 0, 2 / 7, 2 / 7],
      ['summer', 2, 7, 2, 3, 4, 100, 2, 80, 2 / 7, 3 / 7],
    ]);
  });
});

describe('best sellers and what they share', () => {
  it('brand, category, price band and tag values of the top products by revenue against all products sold', async () => {
    const shared = await bestSellerAttributes(db.store.client, RANGE, 2);
    expect(shared.map((s) => [s.attribute, s.value, s.bestSellers, s.products, s.shareOfBestSellers, s.shareOfProducts])).toEqual([
      ['brand', 'North', 2, 3, 1, 0.75],
      ['category', 'Hats', 1, 2, 0.5, 0.5],
      ['category', 'Shoes', 1, 2, 0.5, 0.5],
      ['price_band', '100-200', 1, 1, 0.5, 0.25],
      ['price_band', '200+', 1, 1, 0.5, 0.25],
      ['tag', 'bestseller', 1, 1, 0.5, 0.25],
      ['tag', 'linen', 1, 2, 0.5, 0.5],
    ]);
    expect(shared.map((s) => s.lift)).toEqual([1 / 0.75, 1, 1, 2, 2, 2, 1]);
  });
});

describe('GET /api/analytics/products', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    await app.register(analyticsRoutes, { store: db.store, requireAuth: () => {}, secret: 's', alertIntervalMs: 0 });
    await app.ready();
  });
  afterAll(async () => app?.close());
  const get = (qs: string) => app.inject({ method: 'GET', url: `/api/analytics/products?${qs}` });

  it('keeps the per-product answer and adds groups with group_by=category|tag', async () => {
    const plain = (await get('from=2024-06-01&to=2024-06-08&top=2')).json();
    expect(plain.groupBy).toBe('product');
    expect(plain.groups).toBeUndefined();
    expect(plain.products.map((p: { productId: string }) => p.productId)).toEqual(['D', 'A', 'C', 'B', '42', 'E']);
    expect(plain.bestSellerAttributes).toHaveLength(7);
    const byTag = (await get('from=2024-06-01&to=2024-06-08&group_by=tag&order_by=views&limit=2')).json();
    expect(byTag.groups.map((g: { value: string; views: number }) => [g.value, g.views])).toEqual([['bestseller', 7], ['summer', 7]]);
    expect(byTag.products).toHaveLength(2);
    const byCategory = (await get('from=2024-06-01&to=2024-06-08&group_by=category')).json();
    expect(byCategory.groups.map((g: { value: string; orders: number }) => [g.value, g.orders])).toEqual([['Hats', 3], ['Shoes', 2], ['Bags', 0]]);
  });

  it('rejects an unknown grouping, a bad top and an empty range with 400', async () => {
    for (const qs of ['from=2024-06-01&to=2024-06-08&group_by=brand', 'from=2024-06-01&to=2024-06-08&top=0', 'from=2024-06-08&to=2024-06-01']) {
      const res = await get(qs);
      expect(res.statusCode, qs).toBe(400);
    }
    expect((await get('from=2024-06-08&to=2024-06-01')).json().error.code).toBe('INVALID_DEFINITION');
  });
});
