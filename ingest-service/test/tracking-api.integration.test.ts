import { gzipSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from './fixtures/in-process-server.js';

let t: InProcessServer;

beforeAll(async () => {
  t = await startInProcessServer();
});
afterAll(async () => {
  await t?.stop();
});

type Body = Record<string, unknown>;

function post(url: string, payload: string | Buffer | Body, headers: Record<string, string> = {}) {
  const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
  return t.server.app.inject({
    method: 'POST',
    url,
    payload: body,
    headers: { authorization: t.basicAuth, 'content-type': 'application/json', ...headers },
  });
}

async function storedEvents(query: Record<string, string>): Promise<Body[]> {
  await t.server.flush();
  const res = await t.server.app.inject({
    method: 'GET',
    url: '/api/events',
    query: { limit: '1000', ...query },
    headers: { authorization: `Bearer ${t.adminToken}` },
  });
  expect(res.statusCode).toBe(200);
  return (res.json() as { events: Body[] }).events;
}

const track = (userId: string, extra: Body = {}) => ({ type: 'track', event: 'Product Viewed', userId, messageId: randomUUID(), ...extra });

describe('tracking endpoints store each message type', () => {
  it.each([
    ['track', { event: 'Product Viewed', properties: { product_id: 'p1', price: 12.5, currency: 'EUR' } }],
    ['page', { name: 'Home', properties: { url: 'https://shop.example/' } }],
    ['screen', { name: 'Cart' }],
    ['identify', { traits: { email: 'ana@example.com' } }],
    ['alias', { previousId: 'anon-before-login' }],
    ['group', { groupId: 'company-1', traits: { name: 'ACME' } }],
  ])('/v1/%s', async (type, fields) => {
    const userId = `user-${type}-${randomUUID()}`;
    const messageId = randomUUID();
    const res = await post(`/v1/${type}`, { userId, messageId, ...fields });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true });
    const events = await storedEvents({ userId });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type, messageId, userId });
    if (type === 'identify') expect(events[0]!.traits).toEqual({ email: 'ana@example.com' });
    if (type === 'alias') expect(events[0]!.previousId).toBe('anon-before-login');
    if (type === 'group') expect(events[0]!.groupId).toBe('company-1');
  });

  it('/v1/batch stores every message with its own type', async () => {
    const userId = `user-batch-${randomUUID()}`;
    const res = await post('/v1/batch', {
      batch: [
        { type: 'page', userId, name: 'Landing', messageId: randomUUID() },
        track(userId),
        { type: 'identify', userId, traits: { phone: '+4915112345678' }, messageId: randomUUID() },
      ],
    });
    expect(res.statusCode).toBe(200);
    const events = await storedEvents({ userId });
    expect(events.map((e) => e.type).sort()).toEqual(['identify', 'page', 'track']);
  });

  it('accepts the write key in the body, text/plain bodies (sendBeacon) and gzip bodies', async () => {
    const userId = `user-ways-${randomUUID()}`;
    const inBody = await post('/v1/track', { writeKey: 'test_write_key_1234', userId, event: 'A', messageId: randomUUID() }, { authorization: '' });
    expect(inBody.statusCode).toBe(200);
    const beacon = await post('/v1/batch', JSON.stringify({ batch: [track(userId, { event: 'B' })] }), { 'content-type': 'text/plain;charset=UTF-8' });
    expect(beacon.statusCode).toBe(200);
    const gz = await post('/v1/batch', gzipSync(JSON.stringify({ batch: [track(userId, { event: 'C' })] })), { 'content-encoding': 'gzip' });
    expect(gz.statusCode).toBe(200);
    const events = await storedEvents({ userId });
    expect(events.map((e) => e.event).sort()).toEqual(['A', 'B', 'C']);
  });

  it('generates a messageId when it is missing', async () => {
    const userId = `user-noid-${randomUUID()}`;
    expect((await post('/v1/track', { userId, event: 'No Id' })).statusCode).toBe(200);
    const [event] = await storedEvents({ userId });
    expect(event?.messageId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('enrichment', () => {
  it('corrects clock skew, parses the user agent, reads UTM and click ids from the page URL, flags bots', async () => {
    const userId = `user-enrich-${randomUUID()}`;
    const now = Date.now();
    // The device clock is 1 hour behind: it says it sent the event at now-1h, 10 s after it happened.
    const sentAt = new Date(now - 3_600_000).toISOString();
    const timestamp = new Date(now - 3_600_000 - 10_000).toISOString();
    const res = await post(
      '/v1/track',
      {
        userId,
        event: 'Product Viewed',
        timestamp,
        sentAt,
        context: {
          ip: '203.0.113.9',
          userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
          page: { url: 'https://shop.example/p/1?utm_source=facebook&utm_medium=paid_social&utm_campaign=bf-2026&fbclid=IwAR123', referrer: 'https://l.facebook.com/' },
        },
      },
    );
    expect(res.statusCode).toBe(200);
    const bot = await post('/v1/track', { userId, event: 'Crawled', messageId: randomUUID() }, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' });
    expect(bot.statusCode).toBe(200);
    const events = await storedEvents({ userId });
    const viewed = events.find((e) => e.event === 'Product Viewed')!;
    const corrected = Date.parse(viewed.timestamp as string);
    const received = Date.parse(viewed.receivedAt as string);
    expect(received - corrected).toBeGreaterThanOrEqual(10_000);
    expect(received - corrected).toBeLessThan(10_000 + 5_000);
    expect(viewed.ip).toBe('203.0.113.9');
    expect(viewed.device).toMatchObject({ os: 'iOS', type: 'mobile', isBot: false });
    expect(viewed.campaign).toMatchObject({ source: 'facebook', medium: 'paid_social', name: 'bf-2026', fbclid: 'IwAR123' });
    expect(viewed.page).toMatchObject({ path: '/p/1', referrer: 'https://l.facebook.com/' });
    const crawled = events.find((e) => e.event === 'Crawled')!;
    expect(crawled.device).toMatchObject({ isBot: true });
  });

  it('keeps e-commerce hot fields as columns', async () => {
    const userId = `user-order-${randomUUID()}`;
    await post('/v1/track', {
      userId,
      event: 'Order Completed',
      properties: { order_id: 'o-77', revenue: 120.5, currency: 'eur', products: [{ product_id: 'a', price: 60.25, quantity: 2 }, { sku: 'b' }] },
    });
    const [order] = await storedEvents({ userId });
    expect(order).toMatchObject({ orderId: 'o-77', revenue: 120.5, currency: 'EUR', productIds: ['a', 'b'] });
  });
});

describe('bad input gets the right status and reason, stores nothing, harms no good event', () => {
  const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const bigProps = { blob: 'x'.repeat(33 * 1024) };
  const cases: [string, string, () => string | Buffer | Body, Record<string, string>, number, string][] = [
    ['malformed JSON', '/v1/track', () => '{"userId":"MARK","event":', {}, 400, 'INVALID_JSON'],
    ['a JSON array body', '/v1/track', () => '[{"userId":"MARK"}]', {}, 400, 'INVALID_JSON'],
    ['empty body', '/v1/track', () => '', {}, 400, 'INVALID_JSON'],
    ['wrong type of event name', '/v1/track', () => ({ userId: 'MARK', event: 42 }), {}, 400, 'INVALID_EVENT'],
    ['wrong type of revenue', '/v1/track', () => ({ userId: 'MARK', event: 'Order Completed', properties: { revenue: 'lots' } }), {}, 400, 'INVALID_EVENT'],
    ['properties as an array', '/v1/track', () => ({ userId: 'MARK', event: 'X', properties: [1, 2] }), {}, 400, 'INVALID_EVENT'],
    ['missing userId and anonymousId', '/v1/track', () => ({ event: 'X', properties: { m: 'MARK' } }), {}, 400, 'INVALID_EVENT'],
    ['track without event', '/v1/track', () => ({ userId: 'MARK' }), {}, 400, 'INVALID_EVENT'],
    ['oversized event', '/v1/track', () => ({ userId: 'MARK', event: 'X', properties: bigProps }), {}, 413, 'EVENT_TOO_LARGE'],
    ['oversized batch', '/v1/batch', () => ({ batch: Array.from({ length: 30 }, () => ({ type: 'track', userId: 'MARK', event: 'X', properties: { s: 'y'.repeat(20_000) } })) }), {}, 413, 'BATCH_TOO_LARGE'],
    ['unknown write key', '/v1/track', () => ({ userId: 'MARK', event: 'X' }), { authorization: `Basic ${Buffer.from('nope_nope_nope:').toString('base64')}` }, 401, 'INVALID_WRITE_KEY'],
    ['no write key', '/v1/track', () => ({ userId: 'MARK', event: 'X' }), { authorization: '' }, 401, 'MISSING_WRITE_KEY'],
    ['__proto__ key', '/v1/track', () => '{"userId":"MARK","event":"X","properties":{"__proto__":{"admin":true}}}', {}, 400, 'FORBIDDEN_KEY'],
    ['__proto__ key spelled with \\u escapes', '/v1/track', () => '{"userId":"MARK","event":"X","properties":{"\\u005f_proto__":{"admin":true}}}', {}, 400, 'FORBIDDEN_KEY'],
    ['constructor.prototype key', '/v1/track', () => '{"userId":"MARK","event":"X","properties":{"constructor":{"prototype":{"admin":true}}}}', {}, 400, 'FORBIDDEN_KEY'],
    ['deep nesting', '/v1/track', () => `{"userId":"MARK","event":"X","properties":${deep(200)}}`, {}, 400, 'TOO_DEEP'],
    ['invalid UTF-8', '/v1/track', () => Buffer.concat([Buffer.from('{"userId":"MARK","event":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), {}, 400, 'INVALID_UTF8'],
    ['empty batch', '/v1/batch', () => ({ batch: [] }), {}, 400, 'EMPTY_BATCH'],
    ['batch not an array', '/v1/batch', () => ({ batch: { type: 'track', userId: 'MARK' } }), {}, 400, 'INVALID_EVENT'],
    ['batch of only invalid events', '/v1/batch', () => ({ batch: [{ type: 'track', userId: 'MARK' }, { type: 'nope', userId: 'MARK' }] }), {}, 400, 'INVALID_EVENT'],
    ['corrupt gzip', '/v1/track', () => Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }, 400, 'INVALID_COMPRESSION'],
    ['unsupported encoding', '/v1/track', () => ({ userId: 'MARK', event: 'X' }), { 'content-encoding': 'br' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['timestamp outside what ClickHouse can store', '/v1/track', () => ({ userId: 'MARK', event: 'X', timestamp: '1850-01-01T00:00:00Z' }), {}, 400, 'INVALID_EVENT'],
    ['bad timestamp', '/v1/track', () => ({ userId: 'MARK', event: 'X', timestamp: 'yesterday' }), {}, 400, 'INVALID_EVENT'],
  ];

  it.each(cases)('%s → %s', async (_name, url, payload, headers, status, code) => {
    const marker = `bad-${randomUUID()}`;
    const raw = payload();
    const body = typeof raw === 'string' ? raw.replaceAll('MARK', marker) : Buffer.isBuffer(raw) ? Buffer.from(raw.toString('latin1').replaceAll('MARK', marker), 'latin1') : JSON.parse(JSON.stringify(raw).replaceAll('MARK', marker));
    const res = await post(url, body, headers);
    expect(res.statusCode).toBe(status);
    const json = res.json() as { success: boolean; error: { code: string; message: string } };
    expect(json.success).toBe(false);
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(5);
    expect(await storedEvents({ userId: marker })).toHaveLength(0);
  });

  it('a batch with some bad events keeps the good ones and names the bad ones (207)', async () => {
    const userId = `user-mixed-${randomUUID()}`;
    const good1 = track(userId);
    const good2 = track(userId, { event: 'Product Added' });
    const res = await post('/v1/batch', {
      batch: [
        good1,
        { type: 'track', userId, messageId: 'bad-no-event' },
        good2,
        { type: 'track', userId, event: 'Order Completed', messageId: 'bad-revenue', properties: { revenue: 'x' } },
        { type: 'track', userId, event: 'Big', messageId: 'bad-big', properties: { s: 'z'.repeat(40_000) } },
      ],
    });
    expect(res.statusCode).toBe(207);
    const json = res.json() as { accepted: number; rejected: { index: number; messageId: string; code: string; message: string }[] };
    expect(json.accepted).toBe(2);
    expect(json.rejected.map((r) => [r.index, r.messageId, r.code])).toEqual([
      [1, 'bad-no-event', 'INVALID_EVENT'],
      [3, 'bad-revenue', 'INVALID_EVENT'],
      [4, 'bad-big', 'EVENT_TOO_LARGE'],
    ]);
    expect(json.rejected[1]!.message).toContain('/properties/revenue');
    const stored = await storedEvents({ userId });
    expect(stored.map((e) => e.messageId).sort()).toEqual([good1.messageId, good2.messageId].sort());
  });

  it('a harmless "constructor" property is stored as sent', async () => {
    const userId = `user-ctor-${randomUUID()}`;
    expect((await post('/v1/track', { userId, event: 'Car Viewed', properties: { constructor: 'Ford' } })).statusCode).toBe(200);
    const [event] = await storedEvents({ userId });
    expect(event?.properties).toEqual({ constructor: 'Ford' });
  });

  it('a 10,000-event batch under 500 KB is accepted whole', async () => {
    // ~48 bytes per event: 10,000 of them fit in 500 KB; their messageIds are generated by the server.
    const userId = randomUUID().slice(0, 8);
    const batch = Array.from({ length: 10_000 }, () => ({ type: 'track', event: 'E', userId }));
    const res = await post('/v1/batch', { batch });
    expect(res.statusCode).toBe(200);
    await t.server.flush();
    const rs = await t.server.store!.client.query({
      query: 'SELECT count() AS n, uniqExact(message_id) AS u FROM events WHERE user_id = {userId:String}',
      query_params: { userId },
      format: 'JSONEachRow',
    });
    // UInt64 comes back as a number from chDB and as a string from a server: compare as numbers.
    const [row] = await rs.json<{ n: number | string; u: number | string }>();
    expect([Number(row!.n), Number(row!.u)]).toEqual([10_000, 10_000]);
  });
});

describe('deduplication', () => {
  it('the same batch sent three times is stored once', async () => {
    const userId = `user-dup-${randomUUID()}`;
    const batch = { batch: [track(userId), track(userId, { event: 'Product Added' }), { type: 'identify', userId, messageId: randomUUID(), traits: { plan: 'gold' } }] };
    for (let i = 0; i < 3; i++) expect((await post('/v1/batch', batch)).statusCode).toBe(200);
    expect(await storedEvents({ userId })).toHaveLength(3);
    // Again after the first copies are in ClickHouse, not only in the same load.
    expect((await post('/v1/batch', batch)).statusCode).toBe(200);
    expect(await storedEvents({ userId })).toHaveLength(3);
  });
});

describe('admin API', () => {
  it('rejects missing and invalid tokens and checks roles', async () => {
    const none = await t.server.app.inject({ method: 'GET', url: '/api/events' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHORIZED');
    const forged = await t.server.app.inject({ method: 'GET', url: '/api/events', headers: { authorization: `Bearer ${t.adminToken.slice(0, -3)}abc` } });
    expect(forged.statusCode).toBe(401);
    const viewer = await t.server.app.inject({ method: 'POST', url: '/api/sources', payload: { name: 'x' }, headers: { authorization: `Bearer ${t.viewerToken}` } });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().error.code).toBe('FORBIDDEN');
  });

  it('creates a source whose write key then works, and lists it', async () => {
    const res = await t.server.app.inject({ method: 'POST', url: '/api/sources', payload: { name: 'EU storefront' }, headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.statusCode).toBe(201);
    const source = res.json() as { id: string; writeKey: string; name: string };
    expect(source.name).toBe('EU storefront');
    const userId = `user-src-${randomUUID()}`;
    const sent = await post('/v1/track', { userId, event: 'X' }, { authorization: `Basic ${Buffer.from(`${source.writeKey}:`).toString('base64')}` });
    expect(sent.statusCode).toBe(200);
    const [event] = await storedEvents({ userId, sourceId: source.id });
    expect(event?.sourceId).toBe(source.id);
    const list = await t.server.app.inject({ method: 'GET', url: '/api/sources', headers: { authorization: `Bearer ${t.viewerToken}` } });
    expect((list.json() as { sources: { id: string }[] }).sources.map((s) => s.id)).toContain(source.id);
  });

  it('validates admin input with a 400 that names the field', async () => {
    const res = await t.server.app.inject({ method: 'POST', url: '/api/sources', payload: { name: '' }, headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    const limit = await t.server.app.inject({ method: 'GET', url: '/api/events?limit=5000', headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(limit.statusCode).toBe(400);
    expect(limit.json().error.message).toContain('limit');
  });

  it('filters events by event name and time range', async () => {
    const anonymousId = `anon-${randomUUID()}`;
    await post('/v1/batch', {
      batch: [
        { type: 'track', anonymousId, event: 'Old', timestamp: '2026-01-10T10:00:00.000Z', messageId: randomUUID() },
        { type: 'track', anonymousId, event: 'New', timestamp: '2026-03-10T10:00:00.000Z', messageId: randomUUID() },
        { type: 'page', anonymousId, name: 'Home', timestamp: '2026-03-11T10:00:00.000Z', messageId: randomUUID() },
      ],
    });
    expect((await storedEvents({ anonymousId })).map((e) => e.event ?? e.name)).toEqual(['Home', 'New', 'Old']);
    expect((await storedEvents({ anonymousId, event: 'New' })).map((e) => e.event)).toEqual(['New']);
    expect((await storedEvents({ anonymousId, since: '2026-02-01T00:00:00Z', until: '2026-03-11T00:00:00Z' })).map((e) => e.event)).toEqual(['New']);
    expect((await storedEvents({ anonymousId, type: 'page' })).map((e) => e.name)).toEqual(['Home']);
  });
});

describe('operations endpoints', () => {
  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await t.server.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.server.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { storage: true, queue: true } });
    const metrics = await t.server.app.inject({ method: 'GET', url: '/metrics' });
    for (const name of ['sextant_events_accepted_total', 'sextant_events_rejected_total', 'sextant_events_stored_total', 'sextant_queue_depth_events', 'sextant_ingest_request_duration_seconds_bucket']) {
      expect(metrics.body).toContain(name);
    }
    const doc = (await t.server.app.inject({ method: 'GET', url: '/docs/json' })).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/v1/batch', '/v1/track', '/v1/identify', '/api/events', '/api/sources', '/readyz']) expect(Object.keys(doc.paths)).toContain(p);
  });

  it('answers CORS preflights from browsers', async () => {
    const res = await t.server.app.inject({
      method: 'OPTIONS',
      url: '/v1/batch',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
  });

  it('unknown routes get a 404 with a code', async () => {
    const res = await t.server.app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});
