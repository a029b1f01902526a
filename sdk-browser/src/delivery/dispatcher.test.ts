// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installFakeNetwork, type FakeNetwork } from '../../test/fixtures/fake-network.js';
import { memoryStorage } from '../../test/fixtures/memory-storage.js';
import type { Message } from '../core/types.js';
import { webStorage } from '../identity/web-storage.js';
import { createDispatcher, MAX_BATCH_BYTES } from './dispatcher.js';
import { createPersistedQueue, type PersistedQueue } from './persisted-queue.js';

let seq = 0;
const msg = (over: Partial<Message> = {}): Message => ({
  type: 'track',
  event: `E${++seq}`,
  messageId: `m${seq}`,
  timestamp: '2025-06-01T10:00:00.000Z',
  anonymousId: 'anon',
  context: {},
  ...over,
});

let net: FakeNetwork;
let queue: PersistedQueue;
let warnings: string[];

function dispatcher(over: Partial<Parameters<typeof createDispatcher>[0]> = {}) {
  return createDispatcher({
    url: 'https://api.example/v1/batch',
    writeKey: 'wk_1',
    flushAt: 3,
    flushInterval: 1000,
    retryMinMs: 1000,
    retryMaxMs: 8000,
    queue,
    warn: (m) => warnings.push(m),
    ...over,
  });
}

const setOnline = (online: boolean) => Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });

beforeEach(() => {
  seq = 0;
  vi.useFakeTimers();
  net = installFakeNetwork(200);
  queue = createPersistedQueue(webStorage(() => memoryStorage()), 500, () => true);
  warnings = [];
  setOnline(true);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('batching', () => {
  it('sends when flushAt events wait', async () => {
    const d = dispatcher();
    d.add(msg());
    d.add(msg());
    expect(net.requests).toHaveLength(0);
    d.add(msg());
    await vi.advanceTimersByTimeAsync(0);
    expect(net.requests).toHaveLength(1);
    expect(net.requests[0]!.body).toMatchObject({ writeKey: 'wk_1', batch: [{ event: 'E1' }, { event: 'E2' }, { event: 'E3' }] });
    expect(Date.parse(net.requests[0]!.body.sentAt)).toBe(Date.now());
    expect(queue.items).toEqual([]);
  });

  it('sends flushInterval ms after the first waiting event', async () => {
    const d = dispatcher();
    d.add(msg());
    await vi.advanceTimersByTimeAsync(600);
    d.add(msg());
    await vi.advanceTimersByTimeAsync(399);
    expect(net.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(net.events()).toEqual(['E1', 'E2']);
  });

  it('keeps every request under 60 KB (the keepalive limit) and sends the rest right after', async () => {
    const d = dispatcher({ flushAt: 100 });
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 5; i++) d.add(msg({ properties: { big } }));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(net.requests.map((r) => r.body.batch.length)).toEqual([2, 2, 1]);
    for (const r of net.requests) expect(JSON.stringify(r.body).length).toBeLessThan(MAX_BATCH_BYTES);
  });

  it('drops an event over 32 KB instead of keeping it forever', async () => {
    const d = dispatcher();
    d.add(msg({ properties: { big: 'x'.repeat(33_000) } }));
    expect(queue.items).toEqual([]);
    expect(warnings).toEqual(['event over 32 KB dropped']);
  });

  it('has one request in flight at a time while the page lives', async () => {
    let release: (s: Response) => void = () => {};
    vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>((r) => (release = r))));
    const d = dispatcher();
    for (let i = 0; i < 6; i++) d.add(msg());
    await vi.advanceTimersByTimeAsync(5000);
    expect(fetch).toHaveBeenCalledTimes(1);
    release({ status: 200 } as Response);
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});

describe('retries', () => {
  it.each([500, 503, 408, 429, 'network' as const])('retries after %s with backoff, with the same messageIds', async (failure) => {
    net.answer(failure, failure);
    const d = dispatcher();
    for (let i = 0; i < 3; i++) d.add(msg());
    await vi.advanceTimersByTimeAsync(0);
    expect(net.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999); // first retry: 500..1000 ms
    const afterFirst = net.requests.length;
    await vi.advanceTimersByTimeAsync(2000); // second: 1000..2000 ms
    await vi.advanceTimersByTimeAsync(4000);
    expect(afterFirst).toBeLessThanOrEqual(2);
    expect(net.requests).toHaveLength(3);
    const batches = net.requests.map((r) => r.body.batch.map((m) => m.messageId));
    expect(batches[1]).toEqual(batches[0]);
    expect(batches[2]).toEqual(batches[0]);
    expect(queue.items).toEqual([]);
  });

  it('waits longer after each failure, up to retryMaxMs', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1);
    net.answer(500, 500, 500, 500, 500);
    const d = dispatcher();
    for (let i = 0; i < 3; i++) d.add(msg());
    const start = Date.now();
    const times = [0];
    while (times.length < 6 && Date.now() - start < 60_000) {
      const before = net.requests.length;
      await vi.advanceTimersByTimeAsync(100);
      if (net.requests.length > before) times.push(Date.now() - start);
    }
    expect(times).toEqual([0, 1000, 3000, 7000, 15000, 23000]);
    expect(queue.items).toEqual([]);
  });

  it.each([400, 401, 413])('drops a batch refused for good (%i) and goes on', async (status) => {
    net.answer(status);
    const d = dispatcher();
    for (let i = 0; i < 3; i++) d.add(msg());
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.items).toEqual([]);
    expect(warnings).toEqual([`events refused by the server (${status})`]);
    d.add(msg());
    await vi.advanceTimersByTimeAsync(1000);
    expect(net.requests).toHaveLength(2);
  });

  it('removes a partly accepted batch (207: the rejected events would be rejected again)', async () => {
    net.answer(207);
    const d = dispatcher();
    for (let i = 0; i < 3; i++) d.add(msg());
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.items).toEqual([]);
  });

  it('sends nothing while offline and everything once back online', async () => {
    setOnline(false);
    const d = dispatcher();
    for (let i = 0; i < 5; i++) d.add(msg());
    await vi.advanceTimersByTimeAsync(10_000);
    expect(net.requests).toHaveLength(0);
    expect(queue.items).toHaveLength(5);
    setOnline(true);
    d.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(net.events()).toEqual(['E1', 'E2', 'E3', 'E4', 'E5']);
    expect(queue.items).toEqual([]);
  });

  it('a retry waiting for its backoff goes at once when the browser comes back online', async () => {
    net.answer('network');
    const d = dispatcher({ retryMinMs: 60_000, retryMaxMs: 60_000 });
    for (let i = 0; i < 3; i++) d.add(msg());
    await vi.advanceTimersByTimeAsync(0);
    d.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(net.requests).toHaveLength(2);
    expect(queue.items).toEqual([]);
  });
});

describe('leaving the page', () => {
  it('sends everything waiting at once with keepalive when the page is hidden', async () => {
    const d = dispatcher({ flushAt: 100 });
    d.add(msg());
    d.add(msg());
    d.flush(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(net.requests).toMatchObject([{ via: 'fetch', keepalive: true }]);
    expect(net.events()).toEqual(['E1', 'E2']);
    expect(queue.items).toEqual([]);
  });

  it('on pagehide hands the rest to sendBeacon, keeps it queued (its fate is unknown) and resends it if the page comes back', async () => {
    const d = dispatcher({ flushAt: 100 });
    d.add(msg());
    d.add(msg());
    d.flush(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(net.requests.map((r) => r.via)).toEqual(['beacon']);
    expect(queue.items).toHaveLength(2);
    d.flush(2); // a second pagehide sends nothing twice
    await vi.advanceTimersByTimeAsync(5000);
    expect(net.requests).toHaveLength(1);
    d.wake(); // back from the back/forward cache
    await vi.advanceTimersByTimeAsync(0);
    expect(net.requests.map((r) => r.via)).toEqual(['beacon', 'fetch']);
    expect(queue.items).toEqual([]);
  });

  it('sends even while a normal request is in flight, and even offline (the browser may know better)', async () => {
    vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>(() => {})));
    const d = dispatcher({ flushAt: 1 });
    d.add(msg());
    d.add(msg());
    setOnline(false);
    d.flush(2);
    expect(net.requests.map((r) => r.body.batch.map((m) => m.event))).toEqual([['E2']]);
  });
});
