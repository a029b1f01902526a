import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '@sextant/schemas';
import { createStore, runMigrations, type Store } from '@sextant/store';
import { ClickHouseLeaseLock } from '../src/run-lock/clickhouse-lease-lock.js';

/**
 * Two lock instances = two processes: they share nothing but the ClickHouse data. With chDB (one data
 * dir per process) both use the same connection; with CLICKHOUSE_URL set each gets its own client.
 */
let dir: string;
let storeA: Store;
let storeB: Store;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sextant-lease-'));
  const url = process.env.CLICKHOUSE_URL;
  storeA = await createStore({ dataDir: dir, clickhouseUrl: url });
  await runMigrations(storeA.client, migrations);
  storeB = url ? await createStore({ dataDir: dir, clickhouseUrl: url }) : storeA;
});
afterAll(async () => {
  if (storeB !== storeA) await storeB?.close();
  await storeA?.close();
  rmSync(dir, { recursive: true, force: true });
});

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
    const live = new ClickHouseLeaseLock(storeA.client, { processId: 'live', ttlMs: 500, renewEveryMs: 100, settleMs: 20 });
    const other = new ClickHouseLeaseLock(storeB.client, { processId: 'other', ttlMs: 500, settleMs: 20 });
    const k1 = key();
    expect(await live.tryLock(k1, 'r1')).toBe(true);
    await sleep(900);
    expect(await other.tryLock(k1, 'r2')).toBe(false);
    expect(live.lost(k1, 'r1')).toBe(false);
    await live.unlock(k1, 'r1');

    // Renews only after 1.2 s, long after its 400 ms lease expired and was taken over.
    const lostKeys: string[] = [];
    const paused = new ClickHouseLeaseLock(storeA.client, { processId: 'paused', ttlMs: 400, renewEveryMs: 1200, settleMs: 20, onLost: (key) => lostKeys.push(key) });
    const k2 = key();
    expect(await paused.tryLock(k2, 'r1')).toBe(true);
    await sleep(500);
    expect(await other.tryLock(k2, 'r2')).toBe(true);
    await sleep(900);
    expect(lostKeys).toEqual([k2]);
    expect(paused.lost(k2, 'r1')).toBe(true);
    await other.unlock(k2, 'r2');
  });
});
