import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { QueuedEvent } from '../event-queue.js';
import { PartitionBatchGroup } from './partition-batch-group.js';

const logger = pino({ level: 'silent' });
const events = (prefix: string, n: number): QueuedEvent[] =>
  Array.from({ length: n }, (_, i) => ({ dedupKey: `${prefix}${i}`, partitionKey: `u:${prefix}`, row: Buffer.from('[]') }));
const member = (evs: QueuedEvent[], isActive = () => true) => ({ events: evs, heartbeat: async () => {}, isActive });
const keys = (batch: QueuedEvent[]) => batch.map((e) => e.dedupKey);

describe('PartitionBatchGroup', () => {
  it('loads the partition batches that arrive together as one handler call, each resolved true', async () => {
    const calls: string[][] = [];
    const group = new PartitionBatchGroup(async (batch) => void calls.push(keys(batch)), { lingerMs: 20, maxEvents: 1000, logger, onHealth: () => {} });
    const results = await Promise.all([group.load(member(events('a', 2))), group.load(member(events('b', 3))), group.load(member(events('c', 1)))]);
    expect(results).toEqual([true, true, true]);
    expect(calls).toEqual([['a0', 'a1', 'b0', 'b1', 'b2', 'c0']]);
  });

  it('closes a load early at maxEvents and never runs two loads at once', async () => {
    const calls: string[][] = [];
    let running = 0;
    let overlapped = false;
    const group = new PartitionBatchGroup(
      async (batch) => {
        overlapped ||= running > 0;
        running++;
        await new Promise((r) => setTimeout(r, 30));
        calls.push(keys(batch));
        running--;
      },
      { lingerMs: 1000, maxEvents: 4, logger, onHealth: () => {} },
    );
    const started = Date.now();
    await Promise.all([group.load(member(events('a', 2))), group.load(member(events('b', 2))), group.load(member(events('c', 5)))]);
    expect(calls).toEqual([['a0', 'a1', 'b0', 'b1'], ['c0', 'c1', 'c2', 'c3', 'c4']]);
    expect(overlapped).toBe(false);
    expect(Date.now() - started).toBeLessThan(900); // both closed by size, not by the 1 s linger
  });

  it('retries a failed load with backoff, reports health, and leaves out a partition revoked meanwhile', async () => {
    const calls: string[][] = [];
    const health: boolean[] = [];
    let fail = 2;
    let bActive = true;
    const group = new PartitionBatchGroup(
      async (batch) => {
        calls.push(keys(batch));
        if (fail-- > 0) {
          bActive = false; // the partition of b moves to another consumer during the outage
          throw new Error('ClickHouse is down');
        }
      },
      { lingerMs: 5, maxEvents: 100, logger, onHealth: (h) => health.push(h), retryDelayMs: () => 10 },
    );
    const [a, b] = await Promise.all([group.load(member(events('a', 1))), group.load(member(events('b', 1), () => bActive))]);
    expect(a).toBe(true);
    expect(b).toBe(false); // not stored here: its offsets are not committed, the new owner loads it
    expect(calls).toEqual([['a0', 'b0'], ['a0'], ['a0']]);
    expect(health).toEqual([false, false, true]);
  });
});
