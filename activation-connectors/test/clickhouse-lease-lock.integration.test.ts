import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '@sextant/store';
import { ClickHouseLeaseLock } from '../src/run-lock/clickhouse-lease-lock.js';
import { closeTempStore, openMigratedTempStore } from './migrated-temp-store.js';

/**
 * Two lock instances = two processes: they share nothing but the ClickHouse data. With chDB (one data
 * dir per process) both use the same connection; with CLICKHOUSE_URL set each gets its own client.
 */
let dir: string;
let storeA: Store;
let storeB: Store;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const url = process.env.CLICKHOUSE_URL;
  ({ dir, store: storeA } = await openMigratedTempStore('sextant-lease-', url));
  storeB = url ? await createStore({ dataDir: dir, clickhouseUrl: url }) : storeA;
});
afterAll(() => closeTempStore(dir, storeB !== storeA ? storeB : undefined, storeA));

const key = () => `pair-${Math.random().toString(36).slice(2)}`;

describe('ClickHouse lease lock across processes', () => {
  it('lets exactly one of two contending instances win, every time', async () => {
    const a = new ClickHouseLeaseLock(storeA.client, { processId: 'proc-a', settleMs: 50 });
    const b = new ClickHouseLeaseLock(storeB.client, { processId: 'proc-b', settleMs: 50 });
    for (let round = 0; round < 8; round++) {
      const k = key();
      const [wa, wb] = await Promise.all([a.tryLock(k, 'run-a'), b.tryLock(k, 'run-b')]);
      expect([wa, wb].filter(Boolean)).toHaveLength(1);
      const s = await a.state(k);
      expect(s!.holder).toBe(wa ? 'proc-a/run-a' : 'proc-b/run-b');
      await a.unlock(k, 'run-a');
      await b.unlock(k, 'run-b');
    }
  });

  it('refuses a held key, and hands it over after release', async () => {
    const a = new ClickHouseLeaseLock(storeA.client, { processId: 'proc-a', settleMs: 20 });
    const b = new ClickHouseLeaseLock(storeB.client, { processId: 'proc-b', settleMs: 20 });
    const k = key();
    expect(await a.tryLock(k, 'r1')).toBe(true);
    expect(await b.tryLock(k, 'r2')).toBe(false);
    expect(await a.tryLock(k, 'r3')).toBe(false);
    await b.unlock(k, 'r2'); // not the holder: no effect
    expect(await b.tryLock(k, 'r2')).toBe(false);
    await a.unlock(k, 'r1');
    expect(await b.tryLock(k, 'r2')).toBe(true);
    expect((await a.state(k))!.epoch).toBe(2);
    await b.unlock(k, 'r2');
  });

  it('lets another process take over the lease of a crashed owner once it expired', async () => {
    // The crashed owner never renews and never releases.
    const crashed = new ClickHouseLeaseLock(storeA.client, { processId: 'crashed', ttlMs: 600, renewEveryMs: Infinity, settleMs: 20 });
    const b = new ClickHouseLeaseLock(storeB.client, { processId: 'proc-b', ttlMs: 600, settleMs: 20 });
    const k = key();
    expect(await crashed.tryLock(k, 'r1')).toBe(true);
    expect(await b.tryLock(k, 'r2')).toBe(false);
    await sleep(750);
    expect(await b.tryLock(k, 'r2')).toBe(true);
    expect(crashed.lost(k, 'r1')).toBe(true);
    expect(b.lost(k, 'r2')).toBe(false);
    // The stale owner's release changes nothing: the new epoch stays held.
    await crashed.unlock(k, 'r1');
    expect((await b.state(k))).toMatchObject({ holder: 'proc-b/r2', released: false });
    await b.unlock(k, 'r2');
  });

  it('keeps a renewed lease alive past its TTL, and tells a paused holder it lost the lease', async () => {
    const live = new ClickHouseLeaseLock(storeA.client, { processId: 'live', ttlMs: 2000, renewEveryMs: 200, settleMs: 20 });
    const other = new ClickHouseLeaseLock(storeB.client, { processId: 'other', ttlMs: 2000, settleMs: 20 });
    const k1 = key();
    expect(await live.tryLock(k1, 'r1')).toBe(true);
    await sleep(3000);
    expect(await other.tryLock(k1, 'r2')).toBe(false);
    expect(live.lost(k1, 'r1')).toBe(false);
    await live.unlock(k1, 'r1');

    // Renews only after 4 s, long after its 1 s lease expired and was taken over. (Times with margins
    // of seconds: on a loaded 2-core machine a renewal round-trip can take hundreds of milliseconds.)
    const lostKeys: string[] = [];
    const paused = new ClickHouseLeaseLock(storeA.client, { processId: 'paused', ttlMs: 1000, renewEveryMs: 4000, settleMs: 20, onLost: (key) => lostKeys.push(key) });
    const k2 = key();
    expect(await paused.tryLock(k2, 'r1')).toBe(true);
    await sleep(1500);
    expect(await other.tryLock(k2, 'r2')).toBe(true);
    await sleep(4000);
    expect(lostKeys).toEqual([k2]);
    expect(paused.lost(k2, 'r1')).toBe(true);
    await other.unlock(k2, 'r2');
  });
});
