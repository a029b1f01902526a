import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../../src/auth/admin-token.js';
import { startInProcessServer, TEST_JWT_SECRET, type InProcessServer } from '../fixtures/in-process-server.js';
import { CHROMIUM_MISSING, chromiumInstalled, launchChromium, type Chromium } from './fixtures/chromium.js';

/**
 * The console's Marketing and Products pages in real headless Chromium against the all-in-one server,
 * on a small hand-made shop sent through the tracking API and the ad spend upload, so every figure the
 * pages show is known in advance. Screenshots land in test-artifacts/console/.
 *
 * Marketing, 2025-06-15 (the day; 06-14 is the day before):
 * - d1 lands from facebook / paid_social, campaign spring, and orders 30 USD; d2 lands direct and orders 10 USD.
 * - Ad spend (USD) on 06-15: spring 300 impressions, 30 clicks, 15; summer 1,000 impressions, 20 clicks, 25.
 *   On 06-14: spring 200 impressions, 10 clicks, 10.
 * - Per campaign on 06-15: spring CTR 30/300 = 10.00 %, CPC 15/30 = 0.50, revenue 30, ROAS 2, ROI 100 %, and
 *   DoD impressions +50 %, clicks +200 %, spend +50 %; summer CTR 2.00 %, CPC 1.25, ROAS 0, ROI −100 %;
 *   direct / (none) revenue 10 without ad figures.
 * - Per channel: facebook_ads 1,300 impressions, 50 clicks, CTR 3.85 %, CPC 0.80, spend 40, ROAS 0.75.
 *
 * Products, May 2025 (shopper p, USD): A Runner (Shoes, North, [linen, bestseller], 100), B Slip-On (Shoes,
 * South, [summer], 40), C Cap (Hats, North, [summer], 20). Views A 4, B 2, C 5; adds A 2, C 1.
 * Orders p1 A + 2 × C (140), p2 B (40), p3 A (100); p2's B refunded.
 * - Per product (by revenue, ties by id): A 200 (2 orders, add-to-cart 2/4 = 50.0 %), B 40 (1 refund of 40), C 40 (2 units).
 * - Per category: Shoes 2 products, 3 orders, 240; Hats 1 product, 1 order, 40.
 * - Per tag: bestseller 200, linen 200, summer (B, C) 80 with 2 orders.
 * - Top 1 best seller (A) of the 3 sold: brand North 1 of 2 sold → lift 1.5; price band 100-200 1 of 1 → lift 3.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'console');
const describeInChromium = chromiumInstalled || process.env.CI ? describe : describe.skip;

const MARKETING_DAY = '2025-06-15';
const AD_SPEND_CSV = [
  'date,channel,utm_source,utm_medium,campaign_id,campaign,currency,impressions,clicks,spend',
  '2025-06-15,facebook_ads,facebook,paid_social,spring,spring,USD,300,30,15',
  '2025-06-15,facebook_ads,facebook,paid_social,summer,summer,USD,1000,20,25',
  '2025-06-14,facebook_ads,facebook,paid_social,spring,spring,USD,200,10,10',
].join('\n');

const PRODUCTS: Record<string, Record<string, unknown>> = {
  A: { product_id: 'A', name: 'Runner', category: 'Shoes', brand: 'North', tags: ['linen', 'bestseller'], price: 100 },
  B: { product_id: 'B', name: 'Slip-On', category: 'Shoes', brand: 'South', tags: ['summer'], price: 40 },
  C: { product_id: 'C', name: 'Cap', category: 'Hats', brand: 'North', tags: ['summer'], price: 20 },
};

function seedEvents(): Record<string, unknown>[] {
  const marketing = [
    { type: 'page', anonymousId: 'd1', timestamp: '2025-06-15T10:00:00Z', context: { sessionStart: true, campaign: { source: 'facebook', medium: 'paid_social', name: 'spring' } } },
    { type: 'track', anonymousId: 'd1', event: 'Order Completed', timestamp: '2025-06-15T10:05:00Z', properties: { order_id: 'o1', revenue: 30, currency: 'USD' } },
    { type: 'page', anonymousId: 'd2', timestamp: '2025-06-15T11:00:00Z', context: { sessionStart: true } },
    { type: 'track', anonymousId: 'd2', event: 'Order Completed', timestamp: '2025-06-15T11:05:00Z', properties: { order_id: 'o2', revenue: 10, currency: 'USD' } },
  ];
  let minute = 0;
  const at = () => new Date(Date.UTC(2025, 4, 10, 10) + minute++ * 60_000).toISOString();
  const track = (event: string, properties: Record<string, unknown>) => ({ type: 'track', userId: 'p', event, timestamp: at(), properties: { currency: 'USD', ...properties } });
  const times = (n: number, p: string, event = 'Product Viewed') => Array.from({ length: n }, () => track(event, event === 'Product Added' ? { ...PRODUCTS[p], quantity: 1 } : PRODUCTS[p]!));
  const line = (id: string, price: number, quantity = 1) => ({ product_id: id, price, quantity });
  const products = [
    ...times(4, 'A'), ...times(2, 'B'), ...times(5, 'C'), ...times(2, 'A', 'Product Added'), ...times(1, 'C', 'Product Added'),
    track('Order Completed', { order_id: 'p1', revenue: 140, products: [line('A', 100), line('C', 20, 2)] }),
    track('Order Completed', { order_id: 'p2', revenue: 40, products: [line('B', 40)] }),
    track('Order Completed', { order_id: 'p3', revenue: 100, products: [line('A', 100)] }),
    track('Order Refunded', { order_id: 'p2', products: [line('B', 40)] }),
  ];
  return [...marketing, ...products].map((x, i) => ({ ...x, messageId: `console-mp-${i}` }));
}

describeInChromium('the Marketing and Products pages in headless Chromium', () => {
  let server: InProcessServer;
  let url = '';
  let browser: Chromium;
  let marketerToken = '';
  let page: Page;
  const pageErrors: string[] = [];

  /** The text of a locator once it is there, or null (so expect.poll keeps asking while the page loads). */
  const text = (l: Locator) => l.textContent({ timeout: 1_000 }).then((t) => t?.trim() ?? null, () => null);
  const rowOf = (table: string, name: string) => page.getByTestId(table).locator('tbody tr', { has: page.getByRole('rowheader', { name, exact: true }) });
  const kpi = (row: string, key: string) => text(rowOf('marketing-table', row).locator(`[data-kpi="${key}"] .kpi-value`));
  const kpiChange = (row: string, key: string) => text(rowOf('marketing-table', row).locator(`[data-kpi="${key}"] .kpi-value ~ span`));
  const figure = (table: string, row: string, key: string) => text(rowOf(table, row).locator(`[data-figure="${key}"]`));
  const rowHeaders = (table: string) => page.getByTestId(table).locator('tbody th[scope="row"]').allTextContents().catch(() => [] as string[]);

  beforeAll(async () => {
    if (!chromiumInstalled) throw new Error(CHROMIUM_MISSING);
    if (!existsSync(path.join(ROOT, 'console', 'dist', 'index.html'))) execFileSync('npm', ['run', 'build', '-w', 'console'], { cwd: ROOT, stdio: 'ignore' });
    mkdirSync(ARTIFACTS, { recursive: true });
    [server, browser] = await Promise.all([startInProcessServer(), launchChromium()]);
    url = await server.server.app.listen({ port: 0, host: '127.0.0.1' });
    marketerToken = await signAdminToken(TEST_JWT_SECRET, { subject: 'marketer@shop', role: 'marketer' });

    const batch = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: server.basicAuth, 'content-type': 'application/json' }, body: JSON.stringify({ batch: seedEvents() }) });
    expect(batch.status, await batch.text()).toBe(200);
    await server.server.flush();
    const upload = await fetch(`${url}/api/analytics/ad-spend`, { method: 'POST', headers: { authorization: `Bearer ${marketerToken}`, 'content-type': 'text/csv' }, body: AD_SPEND_CSV });
    expect(upload.status, await upload.text()).toBeLessThan(300);

    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(`${url}/`);
    await page.getByLabel('Admin API token', { exact: true }).fill(marketerToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('Marketing per campaign: CTR, CPC, spend, attributed revenue, ROAS, ROI and the day-over-day change', async () => {
    await page.getByRole('link', { name: 'Marketing' }).click();
    await page.getByRole('heading', { level: 1, name: 'Marketing' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/marketing');
    await page.getByLabel('Date', { exact: true }).fill(MARKETING_DAY);
    await page.getByLabel('Period', { exact: true }).selectOption('day');
    await page.getByLabel('Group by', { exact: true }).selectOption('campaign');

    await expect.poll(() => kpi('facebook_ads / spring', 'ctr'), { timeout: 15_000 }).toBe('10.00 %');
    expect(await kpi('facebook_ads / spring', 'impressions')).toBe('300');
    expect(await kpi('facebook_ads / spring', 'clicks')).toBe('30');
    expect(await kpi('facebook_ads / spring', 'cpc')).toBe('$0.50');
    expect(await kpi('facebook_ads / spring', 'spend')).toBe('$15');
    expect(await kpi('facebook_ads / spring', 'orders')).toBe('1');
    expect(await kpi('facebook_ads / spring', 'revenue')).toBe('$30');
    expect(await kpi('facebook_ads / spring', 'roas')).toBe('2');
    expect(await kpi('facebook_ads / spring', 'roi')).toBe('100 %');
    // Against 06-14: 200 impressions, 10 clicks, 10 USD.
    expect(await kpiChange('facebook_ads / spring', 'impressions')).toBe('+50.0 %');
    expect(await kpiChange('facebook_ads / spring', 'clicks')).toBe('+200.0 %');
    expect(await kpiChange('facebook_ads / spring', 'spend')).toBe('+50.0 %');
    // Nothing a year before: no base, no change.
    await page.getByLabel('Compare with', { exact: true }).selectOption('yoy');
    expect(await kpiChange('facebook_ads / spring', 'impressions')).toBe('–');
    await page.getByLabel('Compare with', { exact: true }).selectOption('previous');

    expect(await kpi('facebook_ads / summer', 'ctr')).toBe('2.00 %');
    expect(await kpi('facebook_ads / summer', 'cpc')).toBe('$1.25');
    expect(await kpi('facebook_ads / summer', 'spend')).toBe('$25');
    expect(await kpi('facebook_ads / summer', 'roi')).toBe('-100 %');
    expect(await kpi('direct / (none)', 'revenue')).toBe('$10');
    expect(await kpi('direct / (none)', 'roas'), 'no spend: no ROAS').toBe('–');
    expect(await rowHeaders('marketing-table')).toEqual(['direct / (none)', 'facebook_ads / spring', 'facebook_ads / summer']);
    await page.getByTestId('marketing-chart').locator('canvas').waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'marketing.png'), fullPage: true });
  });

  it('Marketing per channel sums the campaigns; an empty day says so instead of an empty table', async () => {
    await page.getByLabel('Group by', { exact: true }).selectOption('channel');
    await expect.poll(() => rowHeaders('marketing-table'), { timeout: 15_000 }).toEqual(['direct', 'facebook_ads']);
    expect(await kpi('facebook_ads', 'impressions')).toBe('1,300');
    expect(await kpi('facebook_ads', 'ctr')).toBe('3.85 %');
    expect(await kpi('facebook_ads', 'cpc')).toBe('$0.80');
    expect(await kpi('facebook_ads', 'spend')).toBe('$40');
    expect(await kpi('facebook_ads', 'roas')).toBe('0.75');

    await page.getByLabel('Date', { exact: true }).fill('2020-01-01');
    await expect.poll(() => text(page.locator('.empty')), { timeout: 15_000 }).toContain('No ad data and no orders on 2020-01-01');
    expect(await page.getByTestId('marketing-table').count()).toBe(0);
  });

  it('Products per product, then per category and per tag with the group-by switch', async () => {
    await page.getByRole('link', { name: 'Products' }).click();
    await page.getByRole('heading', { level: 1, name: 'Products' }).waitFor();
    await page.getByLabel('From', { exact: true }).fill('2025-05-01');
    await page.getByLabel('To (not included)', { exact: true }).fill('2025-06-01');
    await page.getByRole('button', { name: 'Update' }).click();

    await expect.poll(() => rowHeaders('products-table'), { timeout: 15_000 }).toEqual(['Runner A', 'Slip-On B', 'Cap C']);
    expect(await figure('products-table', 'Runner A', 'views')).toBe('4');
    expect(await figure('products-table', 'Runner A', 'add-to-cart')).toBe('50.0 %');
    expect(await figure('products-table', 'Runner A', 'orders')).toBe('2');
    expect(await figure('products-table', 'Runner A', 'revenue')).toBe('$200');
    expect(await figure('products-table', 'Slip-On B', 'refunds')).toBe('1');
    expect(await figure('products-table', 'Slip-On B', 'refunded')).toBe('$40');
    expect(await figure('products-table', 'Cap C', 'units')).toBe('2');
    expect(await text(rowOf('products-table', 'Runner A').locator('td').nth(2))).toBe('linenbestseller');

    await page.getByLabel('Group by', { exact: true }).selectOption('category');
    await expect.poll(() => rowHeaders('product-groups-table'), { timeout: 15_000 }).toEqual(['Shoes', 'Hats']);
    expect(await page.getByTestId('product-groups-table').locator('thead th').first().textContent()).toBe('Category');
    expect(await figure('product-groups-table', 'Shoes', 'products')).toBe('2');
    expect(await figure('product-groups-table', 'Shoes', 'orders')).toBe('3');
    expect(await figure('product-groups-table', 'Shoes', 'revenue')).toBe('$240');
    expect(await figure('product-groups-table', 'Hats', 'revenue')).toBe('$40');
    expect(await page.getByTestId('products-table').count(), 'the grouped view replaces the product table').toBe(0);

    await page.getByLabel('Group by', { exact: true }).selectOption('tag');
    await expect.poll(() => rowHeaders('product-groups-table'), { timeout: 15_000 }).toEqual(['bestseller', 'linen', 'summer']);
    expect(await figure('product-groups-table', 'summer', 'revenue')).toBe('$80');
    expect(await figure('product-groups-table', 'summer', 'orders')).toBe('2');
    await page.screenshot({ path: path.join(ARTIFACTS, 'products.png'), fullPage: true });
  });

  it('Products: what the top best seller shares, with share and lift; an empty range says so', async () => {
    await page.getByLabel('Best sellers', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Update' }).click();
    const lift = (value: string) => figure('best-seller-attributes', value, 'lift');
    await expect.poll(() => lift('100-200'), { timeout: 15_000 }).toBe('×3');
    expect(await lift('North')).toBe('×1.5');
    expect(await figure('best-seller-attributes', 'North', 'share-of-best-sellers')).toBe('100 %');
    expect(await figure('best-seller-attributes', 'North', 'share-of-products')).toBe('67 %');
    expect(await rowHeaders('best-seller-attributes'), 'only the values the best seller has').toEqual(['North', 'Shoes', '100-200', 'bestseller', 'linen']);

    await page.getByLabel('From', { exact: true }).fill('2020-01-01');
    await page.getByLabel('To (not included)', { exact: true }).fill('2020-01-02');
    await page.getByRole('button', { name: 'Update' }).click();
    await expect.poll(() => text(page.locator('.empty')), { timeout: 15_000 }).toContain('No product was viewed, added to a cart or ordered from 2020-01-01 to 2020-01-02');
    expect(await page.getByTestId('product-groups-table').count()).toBe(0);
    expect(await page.getByTestId('best-seller-attributes').count()).toBe(0);
    expect(pageErrors, 'nothing thrown in the console').toEqual([]);
  });
});
