// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeNetwork } from '../../test/fixtures/fake-network.js';
import { backoffDelay, outcome, sendBatch } from './send-batch.js';

afterEach(() => vi.unstubAllGlobals());

const BODY = JSON.stringify({ batch: [{ messageId: 'm1', type: 'track', event: 'E' }], sentAt: '2025-06-01T10:00:00.000Z', writeKey: 'wk' });

describe('outcome of an answer', () => {
  it.each([
    [200, 'done'], [207, 'done'], // 207: the rejected events are refused for good, the rest stored
    [400, 'done'], [401, 'done'], [403, 'done'], [404, 'done'], [413, 'done'], // never accepted: drop, do not retry forever
    [408, 'retry'], [429, 'retry'], [500, 'retry'], [502, 'retry'], [503, 'retry'],
    [0, 'retry'], // no answer: offline, blocked, CORS refused
  ] as const)('%i → %s', (status, expected) => {
    expect(outcome(status)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  it.each([
    { attempt: 1, random: 0, expected: 500 },
    { attempt: 1, random: 1, expected: 1000 },
    { attempt: 2, random: 0.5, expected: 1500 },
    { attempt: 3, random: 0, expected: 2000 },
    { attempt: 7, random: 1, expected: 60_000 }, // capped
    { attempt: 50, random: 0, expected: 30_000 },
  ])('attempt $attempt, random $random → $expected ms', ({ attempt, random, expected }) => {
    expect(backoffDelay(attempt, 1000, 60_000, random)).toBe(expected);
  });

  it('spreads retries of many browsers (jitter)', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(4, 1000, 60_000)));
    expect(delays.size).toBeGreaterThan(15);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(4000);
  });
});

describe('sendBatch', () => {
  it('POSTs the JSON as a CORS simple request (text/plain, no headers, no credentials) with keepalive', async () => {
    const net = installFakeNetwork(200);
    await expect(sendBatch('https://api.example/v1/batch', BODY, false)).resolves.toBe(200);
    expect(net.requests).toEqual([{ via: 'fetch', url: 'https://api.example/v1/batch', body: JSON.parse(BODY), keepalive: true, contentType: undefined }]);
    const init = vi.mocked(fetch).mock.calls[0]![1]!;
    expect(init).toMatchObject({ method: 'POST', credentials: 'omit' });
    expect(init.headers).toBeUndefined();
  });

  it('uses sendBeacon when asked, and fetch when the beacon is refused', async () => {
    const net = installFakeNetwork(200);
    await expect(sendBatch('https://api.example/v1/batch', BODY, true)).resolves.toBe(-1);
    net.beaconAccepts = false;
    await expect(sendBatch('https://api.example/v1/batch', BODY, true)).resolves.toBe(200);
    expect(net.requests.map((r) => r.via)).toEqual(['beacon', 'fetch']);
  });

  it.each([
    { name: 'a rejected fetch (offline, blocked by an extension)', fetch: () => Promise.reject(new TypeError('Failed to fetch')) },
    {
      name: 'a fetch that throws at once',
      fetch: () => {
        throw new TypeError('blocked');
      },
    },
  ])('resolves 0 and never throws on $name', async ({ fetch }) => {
    vi.stubGlobal('fetch', fetch);
    await expect(sendBatch('https://api.example/v1/batch', BODY, false)).resolves.toBe(0);
  });
});
