import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig, type TrackedEvent } from '../connector.js';
import { FakeMetaServer } from '../fake-meta-server/fake-meta-server.js';
import { GraphClient } from '../graph/graph-client.js';
import { sha256Hex } from '../identifiers/sha256.js';
import { conversionsApi as dest } from './index.js';

let fake: FakeMetaServer;
let baseUrl: string;
beforeEach(async () => {
  fake = new FakeMetaServer();
  baseUrl = await fake.listen();
});
afterEach(async () => fake.close());

const order = (i: number, extra: Partial<TrackedEvent> = {}): TrackedEvent => ({
  messageId: `msg-${i}`, event: 'Order Completed', timestamp: new Date().toISOString(), userId: `u${i}`,
  properties: { order_id: `o${i}`, revenue: 42.5, currency: 'EUR', products: [{ product_id: 'sku-1', quantity: 2, price: 21.25 }] },
  context: { ip: '203.0.113.9', userAgent: 'Mozilla/5.0', fbc: 'fb.1.1554763741205.AbCdEf', fbp: 'fb.1.1554763741205.123', page: { url: 'https://shop.example/thanks' }, traits: { email: 'Person@Example.com' } },
  ...extra,
});

function setup(token = 'test-token', settings: Record<string, unknown> = {}) {
  const s = validateConfig(dest, { pixelId: '777', accessToken: token, baseUrl, batchSize: 2, ...settings });
  const delays: number[] = [];
  return { ctx: { settings: s, graph: new GraphClient({ ...dest.graphOptions(s), sleep: async (ms) => void delays.push(ms) }), state: {} }, delays };
}

describe('Meta Conversions API connector against the fake server', () => {
  it('forwards Order Completed as Purchase with event_id = messageId, fbc/fbp and hashed user data, batched', async () => {
    const { ctx } = setup();
    const r = await dest.sendEvents!(ctx, [order(1), order(2), order(3), order(4, { event: 'Page Viewed' })]);
    expect(r).toMatchObject({ received: 4, sent: 3 });
    expect(r.dropped).toEqual([{ messageId: 'msg-4', reason: 'event not configured' }]);
    expect(fake.requestCount).toBe(2);
    const e = fake.conversions.events[0]!.event;
    expect(e).toMatchObject({ event_name: 'Purchase', event_id: 'msg-1', action_source: 'website', event_source_url: 'https://shop.example/thanks',
      user_data: { em: [sha256Hex('person@example.com')], external_id: 'u1', fbc: 'fb.1.1554763741205.AbCdEf', fbp: 'fb.1.1554763741205.123', client_user_agent: 'Mozilla/5.0', client_ip_address: '203.0.113.9' },
      custom_data: { value: 42.5, currency: 'eur', order_id: 'o1', content_ids: ['sku-1'], num_items: 2 } });
  });

  it('drops events older than 7 days before sending and isolates an event Meta rejects, keeping the rest', async () => {
    const { ctx } = setup('test-token', { batchSize: 1000 });
    const old = order(1, { timestamp: new Date(Date.now() - 8 * 86400_000).toISOString() });
    const noValue = order(2, { properties: { currency: 'EUR' } });
    const r = await dest.sendEvents!(ctx, [old, noValue, order(3), order(4), order(5)]);
    expect(r.sent).toBe(3);
    expect(r.dropped.map((d) => d.messageId).sort()).toEqual(['msg-1', 'msg-2']);
    expect(r.dropped.find((d) => d.messageId === 'msg-2')!.reason).toMatch(/2804009/);
  });

  it('backs off on throttling (code 4) and completes', async () => {
    const { ctx, delays } = setup();
    fake.inject({ match: /events$/, code: 4, times: 2 });
    expect((await dest.sendEvents!(ctx, [order(1)])).sent).toBe(1);
    expect(delays).toHaveLength(2);
  });

  it('fails clearly on a bad token', async () => {
    const { ctx } = setup('nope');
    await expect(dest.sendEvents!(ctx, [order(1)])).rejects.toMatchObject({ kind: 'auth', message: expect.stringMatching(/access token was rejected/) });
  });
});
