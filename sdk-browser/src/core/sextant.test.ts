// @vitest-environment happy-dom
// @vitest-environment-options {"url": "https://shop.brand.com/"}
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installCookieJar, removeCookieJar, type JarCookie } from '../../test/fixtures/fake-cookie-jar.js';
import { installFakeNetwork, type FakeNetwork } from '../../test/fixtures/fake-network.js';
import { ECOMMERCE_EVENTS, helperName } from '../ecommerce/ecommerce-events.js';
import { createSextant, type Sextant } from './sextant.js';
import type { LoadOptions, Message } from './types.js';
import { VERSION } from './version.js';

/**
 * The SDK as a storefront uses it, in a DOM (happy-dom) with a browser-like cookie jar and a fake
 * network: what is sent, what is stored, and that nothing ever throws into the page. Each test is a
 * fresh page load (`open`); a second `open` on the same storage is the shopper's next page.
 */

let net: FakeNetwork;
let jar: { cookies: JarCookie[] };

const setUrl = (url: string, referrer = '') => {
  (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(url);
  Object.defineProperty(document, 'referrer', { configurable: true, get: () => referrer });
};

const FAST: LoadOptions = { flushInterval: 100, autoPage: false };

/** A page load: a new SDK instance on the current URL, loaded with `options`. */
function open(options: LoadOptions = {}, writeKey = 'wk_test'): Sextant {
  const sx = createSextant();
  sx.load(writeKey, { ...FAST, ...options });
  return sx;
}

/** Messages this instance sent (other instances of earlier tests keep their window listeners). */
async function sentBy(sx: Sextant): Promise<Message[]> {
  await vi.advanceTimersByTimeAsync(1000);
  const anon = sx.user().anonymousId;
  return net.requests.flatMap((r) => r.body.batch as unknown as Message[]).filter((m) => m.anonymousId === anon);
}

const cookie = (name: string) => jar.cookies.find((c) => c.name === name);

beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2025, 5, 1, 10) });
  net = installFakeNetwork(200);
  jar = installCookieJar('shop.brand.com');
  localStorage.clear();
  setUrl('https://shop.brand.com/');
  document.title = '';
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  removeCookieJar();
  vi.restoreAllMocks();
});

describe('messages', () => {
  it('sends Segment-shaped messages in a batch to host + path, the write key in the body', async () => {
    setUrl('https://shop.brand.com/products/linen?color=blue#reviews', 'https://www.google.com/');
    document.title = 'Linen shirt';
    const sx = open({ host: 'https://t.brand.com/', path: '/px/v1/batch' });
    sx.track('Product Viewed', { product_id: 'sku-1', price: 59.9 });
    const [m] = await sentBy(sx);
    expect(net.requests[0]!.url).toBe('https://t.brand.com/px/v1/batch');
    expect(net.requests[0]!.body.writeKey).toBe('wk_test');
    expect(m).toEqual({
      type: 'track',
      event: 'Product Viewed',
      properties: { product_id: 'sku-1', price: 59.9 },
      messageId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      timestamp: '2025-06-01T10:00:00.000Z',
      anonymousId: sx.user().anonymousId,
      context: {
        library: { name: 'sextant-browser', version: VERSION },
        page: { path: '/products/linen', referrer: 'https://www.google.com/', search: '?color=blue', title: 'Linen shirt', url: 'https://shop.brand.com/products/linen?color=blue' },
        userAgent: navigator.userAgent,
        locale: navigator.language,
        timezone: expect.any(String),
        screen: { width: expect.any(Number), height: expect.any(Number), density: expect.any(Number) },
        sessionId: Date.UTC(2025, 5, 1, 10),
        sessionStart: true,
        campaign: {},
        attribution: { firstTouch: { referrer: 'https://www.google.com/', landingPage: 'https://shop.brand.com/products/linen?color=blue', timestamp: '2025-06-01T10:00:00.000Z' } },
        consent: { categoryPreferences: { analytics: true, marketing: true } },
        fbp: expect.stringMatching(/^fb\.1\.\d{13}\.\d+$/),
      },
    });
  });

  it('sends to the page origin by default', async () => {
    const sx = open();
    sx.track('E');
    await sentBy(sx);
    expect(net.requests[0]!.url).toBe('https://shop.brand.com/v1/batch');
  });

  it.each<{ name: string; call: (sx: Sextant) => void; expected: Partial<Message> }>([
    { name: 'page()', call: (sx) => sx.page(), expected: { type: 'page', properties: { path: '/', referrer: '', search: '', title: '', url: 'https://shop.brand.com/' } } },
    { name: 'page(name, properties)', call: (sx) => sx.page('Home', { section: 'top' }), expected: { type: 'page', name: 'Home', properties: { path: '/', referrer: '', search: '', title: '', url: 'https://shop.brand.com/', name: 'Home', section: 'top' } } },
    { name: 'page(properties)', call: (sx) => sx.page({ section: 'top' }), expected: { type: 'page', properties: { path: '/', referrer: '', search: '', title: '', url: 'https://shop.brand.com/', section: 'top' } } },
    { name: 'identify(userId, traits)', call: (sx) => sx.identify('u1', { email: 'a@b.c' }), expected: { type: 'identify', userId: 'u1', traits: { email: 'a@b.c' } } },
    { name: 'identify(number)', call: (sx) => sx.identify(42), expected: { type: 'identify', userId: '42', traits: {} } },
    { name: 'identify(traits)', call: (sx) => sx.identify({ plan: 'vip' }), expected: { type: 'identify', traits: { plan: 'vip' } } },
    { name: 'group(groupId, traits)', call: (sx) => sx.group('acme', { size: 3 }), expected: { type: 'group', groupId: 'acme', traits: { size: 3 } } },
    { name: 'track(event) without properties', call: (sx) => sx.track('Signed Up'), expected: { type: 'track', event: 'Signed Up', properties: {} } },
    { name: 'an e-commerce helper', call: (sx) => sx.orderCompleted({ order_id: 'o1', revenue: 10, currency: 'EUR' }), expected: { type: 'track', event: 'Order Completed', properties: { order_id: 'o1', revenue: 10, currency: 'EUR' } } },
    { name: 'options: timestamp and extra context', call: (sx) => sx.track('E', {}, { timestamp: '2025-05-31T09:00:00.000Z', context: { ip: '203.0.113.9' } }), expected: { timestamp: '2025-05-31T09:00:00.000Z', context: expect.objectContaining({ ip: '203.0.113.9' }) as Message['context'] } },
  ])('$name', async ({ call, expected }) => {
    const sx = open();
    call(sx);
    const [m] = await sentBy(sx);
    expect(m).toMatchObject(expected);
  });

  it('alias joins the previous id (the anonymous id by default) to the new user id', async () => {
    const sx = open();
    const anon = sx.user().anonymousId;
    sx.alias('u-7');
    const [m] = await sentBy(sx);
    expect(m).toMatchObject({ type: 'alias', userId: 'u-7', previousId: anon });
    expect(sx.user().userId).toBe('u-7');
  });

  it('has a helper for every e-commerce spec event', async () => {
    const sx = open({ flushAt: 100 });
    const helpers = sx as unknown as Record<string, (p: object) => void>;
    for (const event of ECOMMERCE_EVENTS) helpers[helperName(event)]!({ n: 1 });
    expect((await sentBy(sx)).map((m) => m.event)).toEqual(ECOMMERCE_EVENTS);
    expect(ECOMMERCE_EVENTS.map(helperName)).toContain('productAddedToWishlist');
  });

  it('sends a page view on load unless autoPage is off', async () => {
    const sx = open({ autoPage: true });
    expect((await sentBy(sx)).map((m) => m.type)).toEqual(['page']);
  });

  it('keeps the version in step with package.json', () => {
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../package.json');
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});

describe('identity', () => {
  it('keeps the anonymous id in a first-party cookie mirrored to localStorage, across page loads', async () => {
    const first = open();
    const anon = first.user().anonymousId;
    expect(cookie('sx_aid')).toMatchObject({ value: anon, domain: '', maxAge: 365 * 86400 });
    expect(localStorage.getItem('sx_aid')).toBe(anon);
    expect(open().user().anonymousId).toBe(anon);
  });

  it('restores the anonymous id from localStorage when the cookie was removed (Safari ITP)', () => {
    const anon = open().user().anonymousId;
    jar.cookies = [];
    expect(open().user().anonymousId).toBe(anon);
  });

  it('shares the ids across subdomains with crossSubdomain', () => {
    open({ crossSubdomain: true });
    expect(cookie('sx_aid')!.domain).toBe('brand.com');
    jar.cookies = [];
    open({ cookieDomain: 'shop.brand.com' });
    expect(cookie('sx_aid')!.domain).toBe('shop.brand.com');
  });

  it('persists the user id and traits; the next page sends them', async () => {
    open().identify('u1', { email: 'ana@example.com', plan: 'free' });
    expect(cookie('sx_uid')!.value).toBe('u1');
    const next = open();
    expect(next.user()).toMatchObject({ userId: 'u1', traits: { email: 'ana@example.com', plan: 'free' } });
    next.identify({ plan: 'vip' });
    next.track('After');
    const [identify, track] = (await sentBy(next)).slice(-2); // the first page sent its identify too
    expect(identify).toMatchObject({ userId: 'u1', traits: { email: 'ana@example.com', plan: 'vip' } });
    expect(track).toMatchObject({ userId: 'u1', event: 'After' });
  });

  it("does not give one user's traits to another who logs in on the same browser", () => {
    const sx = open();
    sx.identify('u1', { email: 'ana@example.com' });
    sx.identify('u2', { name: 'Bo' });
    expect(sx.user().traits).toEqual({ name: 'Bo' });
  });

  it('reset() forgets the user and starts a new anonymous id and session', async () => {
    const sx = open();
    sx.identify('u1', { email: 'ana@example.com' });
    const before = sx.user();
    vi.advanceTimersByTime(1000);
    sx.reset();
    sx.track('After Logout');
    const after = sx.user();
    expect(after.userId).toBeUndefined();
    expect(after.traits).toEqual({});
    expect(after.anonymousId).not.toBe(before.anonymousId);
    expect(after.sessionId).not.toBe(before.sessionId);
    expect(cookie('sx_uid')).toBeUndefined();
    expect(localStorage.getItem('sx_uid')).toBeNull();
    const [m] = await sentBy(sx);
    expect(m).toMatchObject({ event: 'After Logout', anonymousId: after.anonymousId });
    expect(m!.userId).toBeUndefined();
  });

  it('sends at load what earlier pages left queued (reload, offline, blocked), at once', async () => {
    net.answer('network', 'network', 'network');
    const before = open({ retryMinMs: 60_000 });
    before.track('Left Behind');
    await vi.advanceTimersByTimeAsync(200);
    window.dispatchEvent(new Event('pagehide'));
    const requestsBefore = net.requests.length;
    const after = open({ flushInterval: 60_000 });
    await vi.advanceTimersByTimeAsync(0);
    const sentAtLoad = net.requests.slice(requestsBefore);
    expect(sentAtLoad.map((r) => r.via)).toContain('fetch');
    expect(sentAtLoad.flatMap((r) => r.body.batch.map((m) => m.event))).toContain('Left Behind');
    expect(after.user().anonymousId).toBe(before.user().anonymousId);
  });

  it('renews the session after 30 idle minutes, shared by the tabs', async () => {
    const sx = open({ flushAt: 100 });
    sx.track('A');
    vi.advanceTimersByTime(29 * 60_000);
    const otherTab = open();
    otherTab.track('B');
    vi.advanceTimersByTime(30 * 60_000 + 1);
    sx.track('C');
    await vi.advanceTimersByTimeAsync(1000);
    const all = net.requests.flatMap((r) => r.body.batch as unknown as Message[]);
    const session = (e: string) => all.find((m) => m.event === e)!.context;
    expect(session('B').sessionId).toBe(session('A').sessionId);
    expect(session('B').sessionStart).toBeUndefined();
    expect(session('C').sessionId).not.toBe(session('A').sessionId);
    expect(session('C').sessionStart).toBe(true);
  });
});

describe('where the shopper came from', () => {
  const AD = 'https://shop.brand.com/?utm_source=facebook&utm_medium=paid_social&utm_campaign=summer&fbclid=IwAR2F4x';

  it('sends the campaign and click ids with every event, on later pages too', async () => {
    setUrl(AD, 'https://l.facebook.com/');
    const landing = open();
    setUrl('https://shop.brand.com/cart', AD);
    const later = open();
    later.track('Cart Viewed');
    const [m] = await sentBy(later);
    expect(m!.context.campaign).toEqual({ source: 'facebook', medium: 'paid_social', name: 'summer', fbclid: 'IwAR2F4x' });
    const touch = { source: 'facebook', medium: 'paid_social', name: 'summer', fbclid: 'IwAR2F4x', referrer: 'https://l.facebook.com/', landingPage: AD, timestamp: '2025-06-01T10:00:00.000Z' };
    expect(m!.context.attribution).toEqual({ firstTouch: touch, lastTouch: touch });
    expect(landing.user().anonymousId).toBe(later.user().anonymousId);
  });

  it("keeps fbclid in Meta's _fbc cookie (fb.1.<ms>.<fbclid>) on the registrable domain, with _fbp", async () => {
    setUrl(AD);
    const sx = open();
    expect(cookie('_fbc')).toMatchObject({ value: `fb.1.${Date.now()}.IwAR2F4x`, domain: 'brand.com', maxAge: 90 * 86400 });
    expect(cookie('_fbp')!.value).toMatch(/^fb\.1\.\d{13}\.\d+$/);
    sx.track('E');
    const [m] = await sentBy(sx);
    expect(m!.context).toMatchObject({ fbc: cookie('_fbc')!.value, fbp: cookie('_fbp')!.value });
  });

  it('a later Google ad becomes the last touch; the first touch stays Facebook', async () => {
    setUrl(AD);
    open();
    vi.advanceTimersByTime(86_400_000);
    setUrl('https://shop.brand.com/?gclid=Cj0K&utm_source=google');
    const sx = open();
    sx.track('E');
    const [m] = await sentBy(sx);
    const attribution = m!.context.attribution as { firstTouch: Record<string, string>; lastTouch: Record<string, string> };
    expect(attribution.firstTouch.source).toBe('facebook');
    expect(attribution.lastTouch).toMatchObject({ source: 'google', gclid: 'Cj0K' });
    expect(m!.context.campaign).toEqual({ source: 'google', gclid: 'Cj0K' });
  });
});

describe('consent and privacy', () => {
  it('with requireConsent stores and sends nothing until consent, then sends what was tracked', async () => {
    setUrl('https://shop.brand.com/?fbclid=IwAR2F4x');
    const sx = open({ requireConsent: true, autoPage: true });
    sx.track('Before Consent');
    await vi.advanceTimersByTimeAsync(5000);
    expect(net.requests).toEqual([]);
    expect(jar.cookies).toEqual([]);
    expect(Object.keys(localStorage)).toEqual([]);

    sx.consent({ analytics: true, marketing: false });
    const sent = await sentBy(sx);
    expect(sent.map((m) => m.event ?? m.type)).toEqual(['page', 'Before Consent']);
    expect(sent.every((m) => (m.context.consent as { categoryPreferences: object }).categoryPreferences)).toBeTruthy();
    expect(sent[1]!.context.consent).toEqual({ categoryPreferences: { analytics: true, marketing: false } });
    expect(jar.cookies.map((c) => c.name)).toEqual(['sx_aid']); // no Meta cookies without marketing consent
    expect(sent[1]!.context.fbc).toBeUndefined();
  });

  it('remembers the choice for the next page', async () => {
    open({ requireConsent: true }).consent({ analytics: true, marketing: true });
    const next = open({ requireConsent: true });
    next.track('E');
    expect(await sentBy(next)).toHaveLength(1);
  });

  it('drops what was tracked and forgets the ids when consent is refused or withdrawn', async () => {
    const sx = open({ requireConsent: true });
    sx.track('Refused');
    sx.consent({ analytics: false });
    await vi.advanceTimersByTimeAsync(2000);
    expect(net.requests).toEqual([]);

    const granted = open({ requireConsent: true });
    granted.consent({ analytics: true, marketing: true });
    expect(cookie('sx_aid')).toBeDefined();
    granted.consent({ analytics: false, marketing: false });
    granted.track('After Withdrawal');
    await vi.advanceTimersByTimeAsync(2000);
    expect(net.events()).not.toContain('After Withdrawal');
    expect(jar.cookies).toEqual([]);
    expect(Object.keys(localStorage)).toEqual(['sx_consent']);
  });

  it('honours Do-Not-Track when respectDnt is set, and only then', async () => {
    Object.defineProperty(navigator, 'doNotTrack', { configurable: true, get: () => '1' });
    try {
      const respectful = open({ respectDnt: true, autoPage: true });
      respectful.track('E');
      expect(await sentBy(respectful)).toEqual([]);
      expect(jar.cookies).toEqual([]);
      const other = open({ autoPage: true });
      expect(await sentBy(other)).toHaveLength(1);
    } finally {
      delete (navigator as unknown as { doNotTrack?: string }).doNotTrack;
    }
  });

  it('turns marketing off under Global Privacy Control when respectDnt is set', async () => {
    Object.defineProperty(navigator, 'globalPrivacyControl', { configurable: true, get: () => true });
    try {
      setUrl('https://shop.brand.com/?fbclid=IwAR2F4x');
      const sx = open({ respectDnt: true });
      sx.track('E');
      const [m] = await sentBy(sx);
      expect(m!.context.consent).toEqual({ categoryPreferences: { analytics: true, marketing: false } });
      expect(cookie('_fbc')).toBeUndefined();
    } finally {
      delete (navigator as unknown as { globalPrivacyControl?: boolean }).globalPrivacyControl;
    }
  });
});

describe('calls before load (the snippet)', () => {
  it('defers calls made before load and runs them after it, in order, with the time they were made', async () => {
    const sx = createSextant();
    const calledAt = Date.now();
    sx.identify('early');
    sx.track('Early 1');
    vi.advanceTimersByTime(250);
    sx.track('Early 2');
    const ready = vi.fn();
    sx.ready(ready);
    vi.advanceTimersByTime(500);
    expect(ready).not.toHaveBeenCalled();
    sx.load('wk_test', FAST);
    expect(ready).toHaveBeenCalledTimes(1);
    const sent = await sentBy(sx);
    expect(sent.map((m) => [m.event ?? m.type, Date.parse(m.timestamp) - calledAt])).toEqual([
      ['identify', 0],
      ['Early 1', 0],
      ['Early 2', 250],
    ]);
    expect(sent[2]!.userId).toBe('early');
  });

  it('replays recorded stub calls at their recorded time, the page view at the time of load', async () => {
    const sx = createSextant();
    const t0 = Date.now() - 2000;
    sx._r('load', ['wk_test', { ...FAST, autoPage: true }], t0);
    sx._r('track', ['Stubbed', { a: 1 }], t0 + 5);
    sx._r('nope', [], t0);
    sx._r('_r', ['track', ['loop'], 0], t0);
    const sent = await sentBy(sx);
    expect(sent.map((m) => [m.event ?? m.type, m.timestamp])).toEqual([
      ['page', new Date(t0).toISOString()],
      ['Stubbed', new Date(t0 + 5).toISOString()],
    ]);
  });

  it('ignores a second load (a snippet pasted twice)', async () => {
    const sx = open({}, 'wk_first');
    sx.load('wk_second', { host: 'https://elsewhere.example' });
    sx.track('E');
    await sentBy(sx);
    expect(net.requests.map((r) => [r.url, r.body.writeKey])).toEqual([['https://shop.brand.com/v1/batch', 'wk_first']]);
  });

  it('runs ready callbacks at once after load, and one that throws does not stop the others', () => {
    const sx = open();
    const after = vi.fn();
    sx.ready(() => {
      throw new Error('storefront bug');
    });
    sx.ready(after);
    expect(after).toHaveBeenCalledTimes(1);
  });
});

describe('never breaks the page', () => {
  it.each<{ name: string; breakIt: () => void }>([
    {
      name: 'localStorage refused',
      breakIt: () =>
        vi.stubGlobal('localStorage', {
          getItem: () => {
            throw new DOMException('no', 'SecurityError');
          },
          setItem: () => {
            throw new DOMException('no', 'SecurityError');
          },
        }),
    },
    {
      name: 'fetch throwing (blocked by an extension)',
      breakIt: () =>
        vi.stubGlobal('fetch', () => {
          throw new TypeError('blocked');
        }),
    },
    {
      name: 'cookies refused (sandboxed frame)',
      breakIt: () =>
        Object.defineProperty(document, 'cookie', {
          configurable: true,
          get: () => {
            throw new DOMException('no', 'SecurityError');
          },
          set: () => {
            throw new DOMException('no', 'SecurityError');
          },
        }),
    },
  ])('with $name, every method is safe', async ({ breakIt }) => {
    breakIt();
    const sx = open({ autoPage: true, autocapture: true });
    const calls = () => {
      sx.track('E', { a: 1 });
      sx.page('P');
      sx.identify('u1', { email: 'x@y.z' });
      sx.alias('u2');
      sx.group('g1');
      sx.productViewed({ product_id: 'p1' });
      sx.consent({ analytics: true });
      sx.flush();
      sx.user();
      sx.reset();
    };
    expect(calls).not.toThrow();
    await expect(vi.advanceTimersByTimeAsync(5000)).resolves.not.toThrow();
  });

  it('accepts odd arguments without throwing', async () => {
    const sx = open();
    const loose = sx as unknown as Record<string, (...a: unknown[]) => void>;
    expect(() => {
      loose.track!(undefined, null);
      loose.page!(null, undefined);
      loose.identify!(null, null);
      loose.group!(undefined);
      loose.track!('E', {}, { timestamp: 'not a date' });
      loose.consent!(undefined);
      loose.ready!(undefined);
    }).not.toThrow();
    const sent = await sentBy(sx);
    expect(sent.find((m) => m.event === 'E')!.timestamp).toBe('2025-06-01T10:00:00.000Z');
  });
});
