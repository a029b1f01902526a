import type { Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startInProcessServer, TEST_WRITE_KEY, type InProcessServer } from '../fixtures/in-process-server.js';
import type { StoredEvent } from '../fixtures/tracking-client.js';
import { CHROMIUM_MISSING, chromiumInstalled, launchChromium, type Chromium } from './fixtures/chromium.js';
import { startStorefront, type StorefrontServer } from './fixtures/storefront-server.js';

/**
 * The browser SDK end to end: real headless Chromium (Debian's package, driven by playwright-core)
 * loads test storefront pages from one 127.0.0.1 port; the pages paste the snippet, which loads the
 * SDK from the all-in-one server on another port (cross-origin, as for a real shop), and the SDK
 * sends to that server's tracking API. Assertions read what the server stored (`/api/events`).
 *
 * The server serves the SDK under a neutral name (`SEXTANT_SDK_PATH`) and the tracking API also
 * under `/px` (`SEXTANT_TRACKING_PREFIX`), as a brand would to get past ad blockers.
 */

interface PageSextant {
  track(event: string, properties?: Record<string, unknown>): void;
  consent(choice: { analytics?: boolean; marketing?: boolean }): void;
  user(): { anonymousId: string; userId?: string };
  length?: number;
}
declare global {
  interface Window {
    sextant: PageSextant;
    readyAt?: number;
    stubCalls?: number;
  }
}

type Stored = StoredEvent & {
  campaign: Record<string, string>;
  page: { url: string; path: string; referrer: string };
  orderId: string | null;
  revenue: number | null;
  currency: string | null;
  productIds: string[];
};

const SCRIPT_PATH = '/assets/storefront.js';
const describeInChromium = chromiumInstalled || process.env.CI ? describe : describe.skip;

describeInChromium('the browser SDK in headless Chromium against the all-in-one server', () => {
  let server: InProcessServer;
  let api = '';
  let shop: StorefrontServer;
  let browser: Chromium;
  let page: Page;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    if (!chromiumInstalled) throw new Error(CHROMIUM_MISSING);
    [server, shop, browser] = await Promise.all([
      startInProcessServer({ SEXTANT_SDK_PATH: SCRIPT_PATH, SEXTANT_TRACKING_PREFIX: '/px' }),
      startStorefront(),
      launchChromium(),
    ]);
    api = await server.server.app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    await browser.context.clearCookies();
    page = await browser.context.newPage();
    await page.goto(`${shop.url}/__blank`);
    await page.evaluate(() => localStorage.clear());
    pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));
  });

  afterEach(async () => {
    if (!page.isClosed()) await page.close();
    expect(pageErrors, 'nothing thrown into the page').toEqual([]);
  });

  /** The snippet on every storefront page loads the SDK from the server; host defaults to the script's origin. */
  const configure = (options: Record<string, unknown> = {}, extra: { inline?: string; away?: string } = {}) =>
    shop.configure({
      writeKey: TEST_WRITE_KEY,
      scriptUrl: `${api}${SCRIPT_PATH}`,
      options: { flushInterval: 200, retryMinMs: 200, retryMaxMs: 1000, ...options },
      ...extra,
    });

  async function stored(query: Record<string, string>): Promise<Stored[]> {
    await server.server.flush();
    const res = await server.server.app.inject({
      method: 'GET',
      url: `/api/events?${new URLSearchParams({ limit: '1000', ...query })}`,
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    expect(res.statusCode).toBe(200);
    return (res.json() as { events: Stored[] }).events.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }

  /** Polls until `count` events match; then waits a little more and reads again, so duplicates would show. */
  async function storedOnce(query: Record<string, string>, count: number, timeoutMs = 10_000): Promise<Stored[]> {
    const deadline = Date.now() + timeoutMs;
    let events = await stored(query);
    while (events.length < count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      events = await stored(query);
    }
    await new Promise((r) => setTimeout(r, 400));
    return stored(query);
  }

  const anonymousIdIn = (p: Page) => p.evaluate(() => window.sextant.user().anonymousId);

  /** Events waiting in the SDK's persisted queue (localStorage `sx_q.*`). */
  const queuedEvents = (p: Page) =>
    p.evaluate(() =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('sx_q.'))
        .flatMap((k) => (JSON.parse(localStorage.getItem(k)!) as { q: { messageId: string; event?: string; type: string }[] }).q),
    );

  /** Batches the page sent to the tracking API, with their answers. */
  function recordBatches(p: Page) {
    const sent: { url: string; body: { batch: Record<string, unknown>[]; sentAt: string; writeKey: string } }[] = [];
    const statuses: number[] = [];
    const isBatch = (r: Request) => r.method() === 'POST' && r.url().startsWith(api);
    p.on('request', (r) => {
      if (isBatch(r)) sent.push({ url: r.url(), body: JSON.parse(r.postData() ?? '{}') });
    });
    p.on('response', (r) => {
      if (isBatch(r.request())) statuses.push(r.status());
    });
    return { sent, statuses };
  }

  const label = (e: Stored) => (e.type === 'page' ? `page ${e.page.path}` : e.type === 'track' ? `track ${e.event}` : e.type);

  it('follows a shopper from a Facebook ad to an order: every event stored with its ids, campaign and _fbc', async () => {
    configure({ autocapture: true });
    const batches = recordBatches(page);
    const fbclid = 'IwAR2F4xQ7-sextant_e2e';
    const landing = `${shop.url}/?utm_source=facebook&utm_medium=paid_social&utm_campaign=summer_sale&utm_content=carousel&fbclid=${fbclid}`;
    await page.goto(landing);
    await page.click('#to-product');
    await page.waitForURL('**/product/sku-1');
    await page.click('#add-to-cart'); // the cart opens as a single-page-app route
    await page.waitForURL('**/cart');
    await page.click('#to-checkout');
    await page.waitForURL('**/checkout');
    await page.fill('#email', 'ana@example.com');
    await page.fill('#card', '4111 1111 1111 1111');
    await page.click('#place-order');
    await page.waitForSelector('#thanks', { state: 'visible' });
    const anonymousId = await anonymousIdIn(page);
    const cookies = Object.fromEntries((await browser.context.cookies(shop.url)).map((c) => [c.name, c.value]));

    const events = await storedOnce({ anonymousId }, 14);
    expect(events.map(label).sort()).toEqual(
      [
        'page /',
        'track Element Clicked', // the link to the product
        'page /product/sku-1',
        'track Product Viewed',
        'track Element Clicked', // add to cart
        'track Product Added',
        'page /cart',
        'track Element Clicked', // the link to checkout
        'page /checkout',
        'track Element Clicked', // place order
        'track Form Submitted',
        'identify',
        'track Checkout Started',
        'track Order Completed',
      ].sort(),
    );

    // Ids: one anonymous id, one session; the user id from identify on.
    expect(cookies['sx_aid']).toBe(anonymousId);
    expect(new Set(events.map((e) => (e.context.sessionId as number) > 0 && e.context.sessionId)).size).toBe(1);
    const identified = new Set(['identify', 'track Checkout Started', 'track Order Completed']);
    for (const e of events) expect(e.userId, label(e)).toBe(identified.has(label(e)) ? 'user-ana' : null);

    // Where the shopper came from, on every event (also on pages whose URL has no parameters).
    expect(cookies['_fbc']).toMatch(new RegExp(`^fb\\.1\\.\\d{13}\\.${fbclid}$`));
    expect(cookies['_fbp']).toMatch(/^fb\.1\.\d{13}\.\d+$/);
    for (const e of events) {
      expect(e.campaign, label(e)).toEqual({
        source: 'facebook', medium: 'paid_social', name: 'summer_sale', term: '', content: 'carousel',
        fbclid, gclid: '', ttclid: '', msclkid: '',
      });
      expect(e.context.fbc, label(e)).toBe(cookies['_fbc']);
      expect(e.context.fbp, label(e)).toBe(cookies['_fbp']);
      const attribution = e.context.attribution as { firstTouch: Record<string, string>; lastTouch: Record<string, string> };
      expect(attribution.firstTouch).toMatchObject({ source: 'facebook', fbclid, landingPage: landing });
      expect(attribution.lastTouch).toEqual(attribution.firstTouch);
      expect(e.context.library).toEqual({ name: 'sextant-browser', version: '0.1.0' });
    }

    // Pages: the real referrer for a page load, the previous URL for a single-page-app route.
    const pages = Object.fromEntries(events.filter((e) => e.type === 'page').map((e) => [e.page.path, e]));
    expect(pages['/product/sku-1']!.page.referrer).toBe(landing);
    expect(pages['/cart']!.page.referrer).toBe(`${shop.url}/product/sku-1`);
    expect(pages['/cart']!.properties).toMatchObject({ path: '/cart', title: 'Linen shirt — Linen & Co.' });

    // The order, in the columns attribution and revenue reports read.
    const order = events.find((e) => e.event === 'Order Completed')!;
    expect(order).toMatchObject({ orderId: 'order-1', revenue: 59.9, currency: 'EUR', productIds: ['sku-1'] });
    expect(events.find((e) => e.type === 'identify')!.traits).toEqual({ email: 'ana@example.com', first_name: 'Ana' });

    // Autocapture: labels and data-* attributes, never what the shopper typed.
    const clicks = events.filter((e) => e.event === 'Element Clicked').map((e) => e.properties);
    expect(clicks).toContainEqual({ tag: 'button', id: 'add-to-cart', text: 'Add to cart', data: { 'product-id': 'sku-1', list: 'summer' } });
    expect(clicks).toContainEqual({ tag: 'a', id: 'to-product', text: 'Linen shirt', href: '/product/sku-1' });
    expect(events.find((e) => e.event === 'Form Submitted')!.properties).toEqual({
      tag: 'form', id: 'checkout-form', name: 'checkout', action: '/checkout/submit', method: 'post', data: { step: 'payment' },
    });
    const notIdentify = JSON.stringify(events.filter((e) => e.type !== 'identify'));
    expect(notIdentify).not.toContain('ana@example.com');
    expect(notIdentify).not.toContain('4111');

    // Segment compatibility: every batch was accepted whole, and each message the SDK sent is also
    // accepted as is by the single-message route of its type (and stored once: same messageId).
    expect(batches.statuses.length).toBeGreaterThan(0);
    expect(batches.statuses.every((s) => s === 200), `statuses ${batches.statuses.join(',')}`).toBe(true);
    const messages = batches.sent.flatMap((b) => b.body.batch);
    expect(batches.sent.every((b) => b.body.writeKey === TEST_WRITE_KEY && !Number.isNaN(Date.parse(b.body.sentAt)))).toBe(true);
    for (const message of messages) {
      const res = await server.server.app.inject({
        method: 'POST',
        url: `/v1/${message.type as string}`,
        headers: { authorization: server.basicAuth, 'content-type': 'application/json' },
        payload: message,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    expect(await stored({ anonymousId })).toHaveLength(14);
  });

  it('tracks single-page-app navigation (pushState, replaceState, popstate) once per URL', async () => {
    configure();
    await page.goto(`${shop.url}/spa`);
    const step = async (fn: () => void) => {
      await page.evaluate(fn);
      await page.waitForTimeout(30);
    };
    await step(() => history.pushState({}, '', '/spa/a'));
    await step(() => history.replaceState({}, '', '/spa/b'));
    await step(() => history.pushState({}, '', '/spa/b#reviews')); // the same page
    await step(() => history.back()); // /spa/b
    await step(() => history.back()); // /spa
    const views = (await storedOnce({ anonymousId: await anonymousIdIn(page), type: 'page' }, 4)).map((e) => [e.page.path, e.page.referrer]);
    expect(views).toEqual([
      ['/spa', ''],
      ['/spa/a', `${shop.url}/spa`],
      ['/spa/b', `${shop.url}/spa/a`],
      ['/spa', `${shop.url}/spa/b`],
    ]);
  });

  it('keeps events tracked offline and delivers them once when the browser is back online', async () => {
    configure();
    await page.goto(`${shop.url}/offline`);
    const anonymousId = await anonymousIdIn(page);
    await storedOnce({ anonymousId, type: 'page' }, 1);

    await browser.context.setOffline(true);
    try {
      await page.evaluate(() => window.sextant.track('Tracked Offline', { n: 1 }));
      await page.waitForTimeout(800);
      expect(await stored({ anonymousId, event: 'Tracked Offline' })).toHaveLength(0);
      expect((await queuedEvents(page)).map((m) => m.event)).toEqual(['Tracked Offline']);
    } finally {
      await browser.context.setOffline(false);
    }
    expect(await storedOnce({ anonymousId, event: 'Tracked Offline' }, 1)).toHaveLength(1);
    expect(await queuedEvents(page)).toEqual([]);
  });

  it.each([
    { way: 'following a link to another site', leave: (p: Page) => p.click('#away') },
    { way: 'a script navigation', leave: (p: Page) => p.evaluate(() => location.assign((document.getElementById('away') as HTMLAnchorElement).href)) },
    { way: 'closing the tab', leave: (p: Page) => p.close() },
  ])('delivers an event tracked just before leaving the page by $way', async ({ leave }) => {
    // A long batch interval: only the send when the page is left can deliver it.
    configure({ flushInterval: 60_000 }, { away: `${api}/healthz` });
    await page.goto(`${shop.url}/leaving`);
    const anonymousId = await anonymousIdIn(page);
    await page.evaluate(() => window.sextant.track('Left At Once', { cart_value: 42 }));
    await leave(page);
    const events = await storedOnce({ anonymousId }, 2);
    expect(events.map(label)).toEqual(['page /leaving', 'track Left At Once']);
  });

  it('delivers once an event still queued when the page is reloaded', async () => {
    configure();
    await page.goto(`${shop.url}/reload`);
    const anonymousId = await anonymousIdIn(page);
    await storedOnce({ anonymousId, type: 'page' }, 1);
    const batchUrl = `${api}/v1/batch`;
    await page.route(batchUrl, (route) => route.abort('connectionrefused'));
    await page.evaluate(() => window.sextant.track('Queued Before Reload'));
    await page.waitForTimeout(500); // a few failed tries
    const [queued] = await queuedEvents(page);
    expect(queued?.event).toBe('Queued Before Reload');

    const batches = recordBatches(page);
    await page.reload();
    await page.unroute(batchUrl);
    // The reloaded page finds it in the persisted queue and sends it, with the same messageId. The old
    // page may also have sent it while unloading (a keepalive fetch or sendBeacon, which the route does not
    // always stop): a sendBeacon's fate is unknown, so it stays queued and the reloaded page resends it,
    // which the server deduplicates; an acknowledged keepalive fetch takes it off the queue, and the
    // reloaded page has nothing to resend. Either way it leaves the persisted queue once acknowledged.
    try {
      await expect.poll(async () => (await queuedEvents(page)).map((m) => m.messageId), { timeout: 30_000 }).not.toContain(queued!.messageId);
    } catch (error) {
      // What each page view's key held (t: its last write, 0 once left) and what was sent: for a failure on CI.
      const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sx_q.')).map((k) => `${k} ${localStorage.getItem(k)!.slice(0, 300)}`));
      throw new Error(`still queued after 30 s: ${JSON.stringify(keys)}; batches sent: ${JSON.stringify(batches.sent.map((b) => b.body.batch.map((m) => m.messageId)))}`, { cause: error });
    }
    const resent = batches.sent.flatMap((b) => b.body.batch.map((m) => m.messageId)).includes(queued!.messageId);
    const events = await storedOnce({ anonymousId, event: 'Queued Before Reload' }, 1);
    expect(events.map((e) => e.messageId), `resent by the reloaded page: ${resent}`).toEqual([queued!.messageId]);
  });

  it('delivers the calls a page makes before the SDK has loaded, in order', async () => {
    configure(
      {},
      {
        inline: `
          sextant.ready(function () { window.readyAt = Date.now(); });
          sextant.identify('early-bird', { plan: 'vip' });
          for (var i = 1; i <= 5; i++) sextant.track('Early Step', { step: i });
          window.stubCalls = sextant.length;`,
      },
    );
    const batches = recordBatches(page);
    // The script arrives late, as on a slow network.
    await page.route(`${api}${SCRIPT_PATH}`, async (route) => {
      await new Promise((r) => setTimeout(r, 300));
      await route.continue();
    });
    await page.goto(`${shop.url}/early`);
    await page.waitForFunction(() => window.readyAt !== undefined);
    expect(await page.evaluate(() => window.stubCalls)).toBe(8); // load, ready, identify, 5 × track

    const anonymousId = await anonymousIdIn(page);
    const events = await storedOnce({ anonymousId }, 7);
    const sentOrder = batches.sent.flatMap((b) => b.body.batch.map((m) => m.messageId as string));
    const byId = new Map(events.map((e) => [e.messageId, e]));
    const inSentOrder = sentOrder.map((id) => byId.get(id)!);
    expect(inSentOrder.map((e) => (e.event === 'Early Step' ? `step ${e.properties.step}` : label(e)))).toEqual([
      'page /early', 'identify', 'step 1', 'step 2', 'step 3', 'step 4', 'step 5',
    ]);
    // Each keeps the time it was called at (before the script arrived), in call order.
    const times = inSentOrder.map((e) => Date.parse(e.timestamp));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(Date.parse(inSentOrder.at(-1)!.timestamp)).toBeLessThan((await page.evaluate(() => window.readyAt!)) + 1);
    expect(inSentOrder.slice(1).every((e) => e.userId === 'early-bird')).toBe(true);
  });

  it('stores and sends nothing before consent; honours analytics and marketing choices', async () => {
    configure({ requireConsent: true });
    const batches = recordBatches(page);
    await page.goto(`${shop.url}/consent?utm_source=newsletter&fbclid=ConsentClick`);
    await page.evaluate(() => window.sextant.track('Before Consent'));
    await page.waitForTimeout(600);
    expect(batches.sent).toEqual([]);
    expect(await browser.context.cookies(shop.url)).toEqual([]);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);

    await page.evaluate(() => window.sextant.consent({ analytics: true, marketing: false }));
    const anonymousId = await anonymousIdIn(page);
    const first = await storedOnce({ anonymousId }, 2);
    expect(first.map(label)).toEqual(['page /consent', 'track Before Consent']);
    for (const e of first) {
      expect(e.context.consent).toEqual({ categoryPreferences: { analytics: true, marketing: false } });
      expect(e.context.fbc).toBeUndefined();
      expect(e.campaign.source).toBe('newsletter');
    }
    let names = (await browser.context.cookies(shop.url)).map((c) => c.name).sort();
    expect(names).toEqual(['sx_aid']);

    await page.evaluate(() => window.sextant.consent({ marketing: true }));
    await page.evaluate(() => window.sextant.track('After Marketing Consent'));
    const [marketing] = await storedOnce({ anonymousId, event: 'After Marketing Consent' }, 1);
    expect(marketing!.context.fbc).toMatch(/^fb\.1\.\d{13}\.ConsentClick$/);
    names = (await browser.context.cookies(shop.url)).map((c) => c.name).sort();
    expect(names).toEqual(['_fbc', '_fbp', 'sx_aid']);

    await page.evaluate(() => window.sextant.consent({ analytics: false }));
    await page.evaluate(() => window.sextant.track('After Withdrawal'));
    await page.waitForTimeout(500);
    expect(await stored({ anonymousId, event: 'After Withdrawal' })).toEqual([]);
    expect((await browser.context.cookies(shop.url)).map((c) => c.name)).not.toContain('sx_aid');
  });

  it('survives an ad blocker: nothing thrown, a bounded queue, and delivery under neutral names', async () => {
    // A filter list blocks the default endpoint; the brand's neutral names (/px/..., /assets/...) pass.
    const blocked = `${api}/v1/batch`;
    await page.route(blocked, (route) => route.abort('blockedbyclient'));
    configure({ maxQueueSize: 50 });
    await page.goto(`${shop.url}/blocked`);
    const anonymousId = await anonymousIdIn(page);
    await page.evaluate(() => {
      for (let i = 1; i <= 300; i++) window.sextant.track('Blocked Event', { i });
    });
    await page.waitForTimeout(700);
    const queued = await queuedEvents(page);
    expect(queued).toHaveLength(50);
    expect(await stored({ anonymousId })).toEqual([]);

    // The same shop, now sending through the prefix: the queue the blocked page left is delivered.
    configure({ path: '/px/v1/batch' });
    await page.goto(`${shop.url}/unblocked`);
    const events = await storedOnce({ anonymousId, event: 'Blocked Event' }, 50);
    expect(events.map((e) => e.properties.i as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, k) => 251 + k));
    expect((await storedOnce({ anonymousId, type: 'page' }, 1)).map(label)).toEqual(['page /unblocked']);

    // The script itself blocked: the snippet's stub keeps the calls, and nothing throws.
    await page.route(`${api}${SCRIPT_PATH}`, (route) => route.abort('blockedbyclient'));
    configure({}, { inline: `sextant.track('Never Sent'); window.stubCalls = sextant.length;` });
    await page.goto(`${shop.url}/no-script`);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => window.stubCalls)).toBe(2);
  });
});
