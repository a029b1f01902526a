import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatClickHouseDateTime64, type EventRow } from '@sextant/schemas';
import type { Store } from '@sextant/store';
import { validateConfig } from '../src/connector.js';
import { ClickHouseConversionsFeedStateStore } from '../src/conversions-api/feed-state-store.js';
import { conversionsApi } from '../src/conversions-api/index.js';
import { runConversionsFeed } from '../src/conversions-api/run-conversions-feed.js';
import { FakeMetaServer } from '../src/fake-meta-server/fake-meta-server.js';
import { sha256Hex } from '../src/identifiers/sha256.js';
import { activationRoutes } from '../src/routes/activation-routes.js';
import { closeTempStore, openMigratedTempStore } from './migrated-temp-store.js';

/** The feed on real chDB: stored events → Conversions API (fake Meta), with its cursor, batching, errors and API. */
let dir: string;
let store: Store;
let fake: FakeMetaServer;
let fakeUrl: string;
let app: FastifyInstance;
const NOW = Date.now();
const ago = (ms: number) => formatClickHouseDateTime64(NOW - ms);
const MIN = 60_000;
/** Arriving now (after every cursor so far), in order. */
const fresh = (i = 0) => formatClickHouseDateTime64(Date.now() - 50 + i);

function row(messageId: string, over: Partial<EventRow> & { ctx?: Record<string, unknown>; props?: Record<string, unknown> } = {}): EventRow {
  const { ctx, props, ...rest } = over;
  return {
    source_id: 'src-1', message_id: messageId, type: 'track', event: 'Order Completed', name: '', anonymous_id: 'anon-1', user_id: 'u1', group_id: '', previous_id: '',
    timestamp: ago(10 * MIN), original_timestamp: null, sent_at: null, received_at: ago(10 * MIN),
    ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (X11)', browser: '', browser_version: '', os: '', os_version: '', device_type: '', is_bot: false,
    page_url: 'https://shop.example/checkout/thanks', page_path: '/checkout/thanks', page_referrer: '',
    utm_source: '', utm_medium: '', utm_campaign: '', utm_term: '', utm_content: '', fbclid: '', gclid: '', ttclid: '', msclkid: '',
    order_id: '', revenue: null, currency: '', product_ids: [],
    properties: JSON.stringify(props ?? { order_id: `o-${messageId}`, revenue: 59.9, currency: 'EUR', products: [{ product_id: 'sku-1', quantity: 1, price: 59.9 }] }),
    traits: '{}',
    context: JSON.stringify(ctx ?? { fbc: 'fb.1.1700000000000.AbCdEf', fbp: 'fb.1.1700000000000.42', consent: { categoryPreferences: { analytics: true, marketing: true } } }),
    ...rest,
  };
}

async function insertEvents(rows: EventRow[]): Promise<void> {
  await store.client.insert({ table: 'events', values: rows, format: 'JSONEachRow' });
}

/** What `requireAdminToken` does, with the role in a header. */
function requireRole(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (request, reply) => {
    const role = String(request.headers['x-role'] ?? 'admin');
    const needed = (request.routeOptions.config as { role?: string }).role;
    if (needed === 'marketer' && role === 'viewer') return reply.code(403).send({ success: false, error: { code: 'FORBIDDEN', message: 'needs marketer' } });
  });
}

const sentIds = () => fake.conversions.events.map((e) => e.event.event_id as string);

beforeAll(async () => {
  ({ dir, store } = await openMigratedTempStore('sextant-capi-feed-'));
  const c = store.client;
  await c.insert({ table: 'engine_runs', values: [{ kind: 'traits', version: 1, stats: '{}' }, { kind: 'identity', version: 1, stats: '{}' }], format: 'JSONEachRow' });
  await c.insert({ table: 'identity_map', format: 'JSONEachRow', values: [
    { version: 1, identifier: 'u:u1', canonical: 'u:u1', person_id: 1 }, { version: 1, identifier: 'a:anon-9', canonical: 'u:u1', person_id: 1 },
  ] });
  await c.insert({ table: 'person_traits', format: 'JSONEachRow', values: [{ version: 1, person_id: 1, first_seen: '2024-01-01 00:00:00', last_seen: '2024-01-01 00:00:00',
    email: 'Ann@Shop.example', phone: '+1 (650) 555-1234', traits: JSON.stringify({ userId: 'u1', firstName: 'Ann', address: { city: 'Menlo Park', country: 'US' } }) }] });
  await insertEvents([
    row('e1'),
    // Anonymous, but the identity map puts it on u1: user data from u1's profile.
    row('e2', { user_id: '', anonymous_id: 'anon-9', received_at: ago(9 * MIN) }),
    row('e3', { event: 'Product Viewed', received_at: ago(9 * MIN) }),
    row('e4', { received_at: ago(8 * MIN), ctx: { consent: { categoryPreferences: { analytics: true, marketing: false } } } }),
    row('e5', { event: 'Checkout Started', received_at: ago(8 * MIN), props: { value: 20, currency: 'USD' } }),
    // No _fbc cookie in the context, an fbclid on the landing URL: fbc built from it.
    row('e8', { received_at: ago(7 * MIN), fbclid: 'IwAR-CaseSensitive', ctx: {} }),
    // Received seconds ago: not settled yet.
    row('e6', { received_at: ago(5_000), timestamp: ago(5_000) }),
    // Happened 8 days ago: Meta would reject it.
    row('e7', { timestamp: ago(8 * 86_400_000), received_at: ago(7 * MIN) }),
  ]);
  fake = new FakeMetaServer();
  fakeUrl = await fake.listen();
  app = Fastify();
  await app.register(activationRoutes, { store, requireAuth: requireRole, secretKey: 'k'.repeat(64), schedule: false, graph: { sleep: async () => {}, maxRetries: 2 } });
  await app.ready();
});
afterAll(() => closeTempStore(dir, app, fake, store));

describe('Conversions API feed from stored events (chDB + fake Meta)', () => {
  let feedId: string;

  it('is configured by a marketer only, with the token sealed and never returned', async () => {
    const body = { name: 'Shop pixel', backfillHours: 1, settings: { pixelId: '777', accessToken: 'test-token', baseUrl: fakeUrl, batchSize: 2,
      events: { 'Order Completed': 'Purchase', 'Checkout Started': 'InitiateCheckout' } } };
    expect((await app.inject({ method: 'POST', url: '/api/conversion-feeds', headers: { 'x-role': 'viewer' }, payload: body })).statusCode).toBe(403);
    const bad = await app.inject({ method: 'POST', url: '/api/conversion-feeds', payload: { ...body, settings: { ...body.settings, pixelId: 'abc' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'INVALID_CONVERSION_FEED', message: expect.stringMatching(/pixelId/) });
    expect((await app.inject({ method: 'POST', url: '/api/conversion-feeds', payload: { ...body, backfillHours: 500 } })).statusCode).toBe(400);
    const created = await app.inject({ method: 'POST', url: '/api/conversion-feeds', payload: body });
    expect(created.statusCode).toBe(201);
    feedId = created.json().id;
    expect(created.json().settings.accessToken).toBe('[redacted]');
    const listed = await app.inject({ url: '/api/conversion-feeds', headers: { 'x-role': 'viewer' } });
    expect(listed.statusCode).toBe(200);
    expect(JSON.stringify(listed.json())).not.toContain('test-token');
    const rs = await store.client.query({ query: 'SELECT feed FROM conversion_feeds', format: 'JSONEachRow' });
    expect(JSON.stringify(await rs.json())).not.toContain('test-token');
  });

  it('sends settled, configured, consented events once, mapped and batched, and keeps its cursor', async () => {
    expect((await app.inject({ method: 'POST', url: `/api/conversion-feeds/${feedId}/run`, headers: { 'x-role': 'viewer' } })).statusCode).toBe(403);
    const run = (await app.inject({ method: 'POST', url: `/api/conversion-feeds/${feedId}/run` })).json();
    expect(run).toMatchObject({ status: 'succeeded', read: 5, sent: 4, skippedConsent: 1, dropped: 0, batches: 3 });
    expect(fake.requestCount).toBe(3); // pages [e1 e2] [e4 e5] [e8]: e4 has no consent, so page 2 sends e5 alone
    expect(sentIds()).toEqual(['e1', 'e2', 'e5', 'e8']);
    const byId = Object.fromEntries(fake.conversions.events.map((e) => [e.event.event_id, e.event]));
    expect(byId.e1).toMatchObject({ event_name: 'Purchase', event_id: 'e1', action_source: 'website', event_source_url: 'https://shop.example/checkout/thanks',
      event_time: Math.floor((NOW - 10 * MIN) / 1000),
      user_data: { em: [sha256Hex('ann@shop.example')], ph: [sha256Hex('16505551234')], fn: [sha256Hex('ann')], ct: [sha256Hex('menlopark')], country: [sha256Hex('us')],
        external_id: 'u1', fbc: 'fb.1.1700000000000.AbCdEf', fbp: 'fb.1.1700000000000.42', client_user_agent: 'Mozilla/5.0 (X11)', client_ip_address: '203.0.113.7' },
      custom_data: { value: 59.9, currency: 'eur', order_id: 'o-e1', content_ids: ['sku-1'] } });
    expect(byId.e2!.user_data).toMatchObject({ em: [sha256Hex('ann@shop.example')], external_id: 'u1' });
    expect(byId.e5).toMatchObject({ event_name: 'InitiateCheckout', custom_data: { value: 20, currency: 'usd' } });
    expect((byId.e8!.user_data as Record<string, unknown>).fbc).toBe(`fb.1.${NOW - 10 * MIN}.IwAR-CaseSensitive`);

    // Nothing new: nothing sent. Once e6 has settled (settle time 0 via PATCH) it goes, alone.
    expect((await app.inject({ method: 'POST', url: `/api/conversion-feeds/${feedId}/run` })).json()).toMatchObject({ status: 'succeeded', read: 0, sent: 0 });
    const patched = await app.inject({ method: 'PATCH', url: `/api/conversion-feeds/${feedId}`, payload: { settleSeconds: 0, enabled: false } });
    expect(patched.json()).toMatchObject({ settleSeconds: 0, enabled: false, cursor: { messageId: 'e8' } });
    expect((await app.inject({ method: 'POST', url: `/api/conversion-feeds/${feedId}/run` })).json()).toMatchObject({ status: 'succeeded', read: 1, sent: 1 });
    expect(sentIds()).toEqual(['e1', 'e2', 'e5', 'e8', 'e6']);

    const runs = (await app.inject({ url: `/api/conversion-feeds/${feedId}/runs`, headers: { 'x-role': 'viewer' } })).json();
    expect(runs.map((r: { sent: number }) => r.sent)).toEqual([1, 0, 4]);
  });

  it('backs off on throttling and completes; when Meta keeps refusing, fails and resumes later without sending twice', async () => {
    await insertEvents(['t1', 't2', 't3', 't4', 't5'].map((id, i) => row(id, { received_at: fresh(i) })));
    fake.inject({ match: /^POST \d+\/events$/, code: 613, subcode: 1487742, times: 2 });
    const ok = (await app.inject({ method: 'POST', url: `/api/conversion-feeds/${feedId}/run` })).json();
    expect(ok).toMatchObject({ status: 'succeeded', read: 5, sent: 5 });
    expect(fake.errorCount).toBe(2);

    await insertEvents(['r1', 'r2', 'r3', 'r4'].map((id, i) => row(id, { received_at: fresh(i) })));
    const before = fake.requestCount;
    // Page 1 goes through, then Meta throttles more often than the client retries (2 retries = 3 attempts).
    fake.inject({ match: /^POST \d+\/events$/, code: 4, skip: 1, times: 3 });
    const failed = (await app.inject({ method: 'POST', url: `/api/conversion-feeds/${feedId}/run` })).json();
    expect(failed).toMatchObject({ status: 'failed', sent: 2, error: { code: 'META_THROTTLED', kind: 'retryable' }, cursorTo: { messageId: 'r2' } });
    expect(fake.requestCount - before).toBe(4);
    const resumed = (await app.inject({ method: 'POST', url: `/api/conversion-feeds/${feedId}/run` })).json();
    expect(resumed).toMatchObject({ status: 'succeeded', read: 2, sent: 2 });
    const ids = sentIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(-4)).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('a bad token fails the run with a clear error and leaves the cursor', async () => {
    await insertEvents([row('b1', { received_at: fresh() })]);
    const settings = validateConfig(conversionsApi, { pixelId: '777', accessToken: 'revoked', baseUrl: fakeUrl });
    const state = new ClickHouseConversionsFeedStateStore(store.client, { lease: { settleMs: 10 } });
    const feed = { id: feedId, sourceIds: [], backfillHours: 0, settleSeconds: 0, requireProfileConsent: false, createdAt: new Date(NOW).toISOString() };
    const before = await state.cursor(feedId);
    const r = await runConversionsFeed({ feed, settings, client: store.client, state, graph: { sleep: async () => {} } });
    expect(r).toMatchObject({ status: 'failed', sent: 0, error: { code: 'META_AUTH', kind: 'auth', message: expect.stringMatching(/access token was rejected/) } });
    expect(await state.cursor(feedId)).toEqual(before);
  });

  it('a run that dies after Meta acknowledged but before the cursor moved resends that page with the same event_id (Meta dedups)', async () => {
    const settings = validateConfig(conversionsApi, { pixelId: '777', accessToken: 'test-token', baseUrl: fakeUrl });
    const real = new ClickHouseConversionsFeedStateStore(store.client, { lease: { settleMs: 10 } });
    let crash = true;
    const state = Object.assign(Object.create(real) as ClickHouseConversionsFeedStateStore, {
      saveCursor: async (id: string, c: { receivedAt: string; messageId: string }) => {
        if (crash) throw new Error('process killed');
        return real.saveCursor(id, c);
      },
    });
    const feed = { id: feedId, sourceIds: [], backfillHours: 0, settleSeconds: 0, requireProfileConsent: false, createdAt: new Date(NOW).toISOString() };
    const first = await runConversionsFeed({ feed, settings, client: store.client, state, graph: { sleep: async () => {} } });
    expect(first).toMatchObject({ status: 'failed', sent: 1 });
    crash = false;
    const second = await runConversionsFeed({ feed, settings, client: store.client, state, graph: { sleep: async () => {} } });
    expect(second).toMatchObject({ status: 'succeeded', sent: 1 });
    expect(sentIds().filter((id) => id === 'b1')).toHaveLength(2);
    expect(await runConversionsFeed({ feed, settings, client: store.client, state, graph: { sleep: async () => {} } })).toMatchObject({ read: 0 });
  });

  it('never runs the same feed twice at once (409), and 404s an unknown feed', async () => {
    const [a, b] = await Promise.all([
      app.inject({ method: 'POST', url: `/api/conversion-feeds/${feedId}/run` }),
      app.inject({ method: 'POST', url: `/api/conversion-feeds/${feedId}/run` }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.statusCode === 409)!.json().error.code).toBe('CONVERSION_FEED_RUN_IN_PROGRESS');
    expect((await app.inject({ method: 'POST', url: '/api/conversion-feeds/nope/run' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/conversion-feeds/${feedId}`, headers: { 'x-role': 'viewer' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: `/api/conversion-feeds/${feedId}` })).json()).toEqual({ success: true });
    expect((await app.inject({ url: `/api/conversion-feeds/${feedId}` })).statusCode).toBe(404);
  });
});
