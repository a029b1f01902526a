import { randomUUID } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminTokenFromCli, removeDataDir, startServerProcess, type ServerProcess } from './fixtures/server-process.js';
import { fetchEvents, waitForEvents, type StoredEvent } from './fixtures/tracking-client.js';

/**
 * Segment's own Node library, unchanged but for its host, talks to a real server process.
 * analytics-node 3.x builds its URL as `new URL(path, host)` (defaults `https://api.segment.io` and
 * `/v1/batch`), sends every call through `/v1/batch` with the write key as the Basic username, and
 * reports a failed delivery as an `error` event (`code: 'delivery_failure'`), never as a throw.
 */

let server: ServerProcess | undefined;
let token: string;

beforeAll(async () => {
  server = await startServerProcess();
  token = await adminTokenFromCli({ jwtSecret: server.jwtSecret, dataDir: server.dataDir });
});

afterAll(async () => {
  if (!server) return;
  await server.stop(20_000).catch(() => server?.kill9());
  removeDataDir(server.dataDir);
});

describe('@segment/analytics-node compatibility', () => {
  it('stores track, identify and page calls sent by the Segment library, field for field', async () => {
    const srv = server!;
    const userId = `segment-user-${randomUUID()}`;
    const analytics = new Analytics({
      writeKey: srv.writeKey,
      host: srv.url,
      path: '/v1/batch',
      flushAt: 5,
      flushInterval: 300,
      maxRetries: 2,
      httpRequestTimeout: 10_000,
    });
    const errors: unknown[] = [];
    const responses: number[] = [];
    const delivered = new Map<string, string>(); // messageId → type, from the library's own callbacks
    analytics.on('error', (err) => errors.push(err));
    analytics.on('http_response', (res) => responses.push(res.status));
    const callback = (err?: unknown, ctx?: { event: { messageId?: string; type: string } }) => {
      if (err) errors.push(err);
      else if (ctx?.event.messageId) delivered.set(ctx.event.messageId, ctx.event.type);
    };

    const order = {
      order_id: `order-${randomUUID()}`,
      revenue: 59.9,
      total: 64.9,
      shipping: 5,
      currency: 'EUR',
      products: [
        { product_id: 'sku-1', sku: 'SKU-1', name: 'Linen shirt', price: 29.95, quantity: 1, category: 'Shirts' },
        { product_id: 'sku-2', sku: 'SKU-2', name: 'Canvas tote', price: 14.975, quantity: 2 },
      ],
    };
    const traits = { email: 'ana@example.com', name: 'Ana Silva', plan: 'vip' };
    analytics.identify({ userId, traits }, callback);
    analytics.page(
      { userId, category: 'Shop', name: 'Checkout', properties: { url: 'https://shop.example/checkout?utm_source=newsletter', path: '/checkout', title: 'Checkout' } },
      callback,
    );
    for (let i = 0; i < 4; i++) {
      analytics.track({ userId, event: 'Product Viewed', properties: { product_id: `sku-${i}`, price: 10 + i, currency: 'EUR' } }, callback);
    }
    analytics.track({ userId, event: 'Order Completed', properties: order }, callback);
    await analytics.closeAndFlush({ timeout: 20_000 });

    expect(errors).toEqual([]);
    expect(delivered.size).toBe(7);
    // flushAt 5 → at least two /v1/batch requests, every one accepted outright.
    expect(responses.length).toBeGreaterThanOrEqual(2);
    expect(responses.every((s) => s === 200), `statuses ${responses.join(',')}`).toBe(true);

    const events = await waitForEvents(srv.url, token, { userId }, 7);
    expect(events).toHaveLength(7);
    const byType = (type: string) => events.filter((e) => e.type === type);
    expect(new Map(events.map((e) => [e.messageId, e.type]))).toEqual(delivered);

    const [identify] = byType('identify');
    expect(identify).toMatchObject({ userId, traits });
    expect(identify!.context).toMatchObject({ library: { name: '@segment/analytics-node' } });

    const [page] = byType('page');
    expect(page).toMatchObject({ userId, name: 'Checkout' });
    expect(page!.properties).toMatchObject({ path: '/checkout', title: 'Checkout', url: 'https://shop.example/checkout?utm_source=newsletter' });

    const tracks = byType('track');
    expect(tracks.map((e) => e.event).sort()).toEqual(['Order Completed', 'Product Viewed', 'Product Viewed', 'Product Viewed', 'Product Viewed']);
    const completed = tracks.find((e) => e.event === 'Order Completed') as StoredEvent;
    expect(completed).toMatchObject({ userId, type: 'track', orderId: order.order_id, revenue: 59.9, currency: 'EUR', productIds: ['sku-1', 'sku-2'] });
    expect(completed.properties).toEqual(order);
    for (const e of events) {
      expect(Number.isNaN(Date.parse(e.timestamp)), `timestamp ${e.timestamp}`).toBe(false);
      expect(Number.isNaN(Date.parse(e.receivedAt)), `receivedAt ${e.receivedAt}`).toBe(false);
    }

    // The admin filters find the same events.
    expect((await fetchEvents(srv.url, token, { userId, type: 'identify' })).map((e) => e.messageId)).toEqual([identify!.messageId]);
    expect((await fetchEvents(srv.url, token, { userId, event: 'Order Completed' })).map((e) => e.messageId)).toEqual([completed.messageId]);
  });

  it('reports a wrong write key as a delivery error through the library', async () => {
    const srv = server!;
    const analytics = new Analytics({ writeKey: 'not_a_known_key', host: srv.url, path: '/v1/batch', flushAt: 1, maxRetries: 0 });
    const errors: { code?: string; reason?: unknown }[] = [];
    const responses: number[] = [];
    analytics.on('error', (err) => errors.push(err as { code?: string }));
    analytics.on('http_response', (res) => responses.push(res.status));
    const userId = `segment-bad-key-${randomUUID()}`;
    analytics.track({ userId, event: 'Product Viewed' });
    await analytics.closeAndFlush({ timeout: 10_000 });

    expect(responses).toEqual([401]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'delivery_failure' });
    expect(await fetchEvents(srv.url, token, { userId })).toEqual([]);
  });
});
