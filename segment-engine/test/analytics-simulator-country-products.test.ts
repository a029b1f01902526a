import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBulkBuild } from '@sextant/storefront-simulator';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { runFunnel } from '../src/analytics/run-funnel.js';
import { bestSellerAttributes, productAnalytics, productGroupAnalytics } from '../src/analytics/product-analytics.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

/**
 * Simulator data: country only in identify traits (at checkout or sign-up), product tags on product
 * events. A shopper who orders has identified with its market's country before ordering, so nobody
 * converts in the `(none)` country row; the catalogue's markets are the only countries.
 */
const END = Date.UTC(2025, 5, 1);
const MARKETS = ['US', 'GB', 'DE', 'FR', 'CA', 'AU', 'JP', 'BR', 'NL', 'SE'];
const RANGE = { from: '2025-05-18', to: '2025-06-01' };
let db: EngineStore;

beforeAll(async () => {
  db = await startEngineStore();
  await runBulkBuild({ seed: 7, shoppers: 400, days: 14, endMs: END, store: db.store });
  await refreshEngine(db.store.client, db.store, {}, new Date(END));
});
afterAll(async () => db?.stop());

describe('simulator data', () => {
  it('breaks a funnel down by the country trait: market countries, buyers never (none), rows adding up', async () => {
    const r = await runFunnel(db.store.client, {
      steps: [{ event: 'Product Viewed' }, { event: 'Order Completed' }], window_seconds: 7 * 86_400, ...RANGE, breakdown: { trait: 'country' },
    }, { asOf: new Date(END) });
    const countries = r.breakdown.map((g) => g.value).filter((v) => v !== '(none)');
    expect(countries.length).toBeGreaterThan(3);
    for (const c of countries) expect(MARKETS).toContain(c);
    expect(r.breakdown.find((g) => g.value === '(none)')?.converted ?? 0).toBe(0);
    expect(r.total.converted).toBeGreaterThan(0);
    for (const k of [0, 1]) expect(r.breakdown.reduce((a, g) => a + g.steps[k]!.count, 0)).toBe(r.total.steps[k]!.count);
  });

  it('groups products by category and tag; categories add up to the products; best sellers share the bestseller tag', async () => {
    const products = await productAnalytics(db.store.client, RANGE, { limit: 1000 });
    const categories = await productGroupAnalytics(db.store.client, RANGE, 'category');
    expect(categories.map((c) => c.value).sort()).toEqual(['Accessories', 'Apparel', 'Beauty', 'Footwear', 'Home']);
    const sum = (rows: { views: number; revenue: number }[]) => [rows.reduce((a, x) => a + x.views, 0), Math.round(rows.reduce((a, x) => a + x.revenue, 0) * 100)];
    expect(sum(categories)).toEqual(sum(products));
    const tags = await productGroupAnalytics(db.store.client, RANGE, 'tag', { limit: 1000 });
    expect(tags.map((t) => t.value)).toContain('bestseller');
    expect(products.every((p) => p.tags.length > 0 && p.priceBand !== '')).toBe(true);
    const bestseller = (await bestSellerAttributes(db.store.client, RANGE, 10)).find((s) => s.attribute === 'tag' && s.value === 'bestseller');
    expect(bestseller!.lift).toBeGreaterThan(1);
  });
});
