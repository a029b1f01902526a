import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedQueue } from './embedded-queue.js';
import type { AcceptedEvent, QueuedEvent } from './event-queue.js';
import { GroupCommitLog } from './group-commit-log.js';
import { QueueFullError } from './queue-full-error.js';

const dirs: string[] = [];
const logger = pino({ level: 'silent' });
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'eq-'));
  dirs.push(d);
  return d;
}
const ev = (i: number): AcceptedEvent => ({ dedupKey: `src:${i}`, partitionKey: `u${i % 3}`, rowText: `[${i}]\n` });
const open = (d: string, over: Partial<Parameters<typeof EmbeddedQueue.open>[0]> = {}) =>
  EmbeddedQueue.open({ dir: d, maxBytes: 1 << 20, flushIntervalMs: 60_000, maxBatchEvents: 1000, logger, ...over });

describe('EmbeddedQueue', () => {
  it('answers QueueFullError past its byte bound and accepts again once loaded', async () => {
    const q = await open(dir(), { maxBytes: 200 });
    const loaded: string[] = [];
    q.consume(async (batch) => {
      loaded.push(...batch.map((e) => e.dedupKey));
    });
    await q.flush();
    await q.publish([ev(1), ev(2), ev(3), ev(4), ev(5)]);
    await expect(q.publish(Array.from({ length: 10 }, (_, i) => ev(10 + i)))).rejects.toBeInstanceOf(QueueFullError);
    await q.flush();
    expect(q.depth()).toEqual({ events: 0, bytes: 0 });
    await q.publish([ev(6)]);
    await q.flush();
    expect(loaded).toEqual(['src:1', 'src:2', 'src:3', 'src:4', 'src:5', 'src:6']);
    await q.close();
  });

  it('keeps a batch whose load failed and delivers it again, in order, after the failure', async () => {
    const q = await open(dir());
    let failures = 1;
    const loaded: string[] = [];
    q.consume(async (batch) => {
      if (failures-- > 0) throw new Error('ClickHouse is down');
      loaded.push(...batch.map((e) => e.dedupKey));
    });
    await q.publish([ev(1), ev(2)]);
    await expect(q.flush()).rejects.toThrow(/loading queued events failed/);
    expect(q.depth().events).toBe(2);
    await q.flush();
    expect(loaded).toEqual(['src:1', 'src:2']);
    await q.close();
  });

  it('replays acknowledged but unloaded events after a restart, and not the loaded ones', async () => {
    const d = dir();
    const first = await open(d);
    const loaded: string[] = [];
    first.consume(async (batch) => {
      loaded.push(...batch.map((e) => e.dedupKey));
    });
    await first.publish([ev(1), ev(2)]);
    await first.flush();
    // Published, never loaded: the consumer stops before the next drain (as in a crash).
    await first.publish([ev(3), ev(4)]);
    await first.close();
    const second = await open(d);
    expect(second.replayedKeys()).toEqual(['src:3', 'src:4']);
    const again: QueuedEvent[] = [];
    second.consume(async (batch) => {
      again.push(...batch);
    });
    await second.flush();
    expect(again.map((e) => [e.dedupKey, e.partitionKey, e.row.toString()])).toEqual([
      ['src:3', 'u0', '[3]\n'],
      ['src:4', 'u1', '[4]\n'],
    ]);
    expect(loaded).toEqual(['src:1', 'src:2']);
    await second.close();
  });

  it('replays a request split across two drains from its start: nothing unloaded is lost', async () => {
    const d = dir();
    const first = await open(d, { maxBatchEvents: 3 });
    const loaded: string[] = [];
    let drains = 0;
    first.consume(async (batch) => {
      // The second drain "crashes": the first took events 1-3 of the 5-event request.
      if (++drains > 1) throw new Error('crash');
      loaded.push(...batch.map((e) => e.dedupKey));
    });
    await first.flush();
    await first.publish([ev(1), ev(2), ev(3), ev(4), ev(5)]);
    await expect(first.flush()).rejects.toThrow(/loading queued events failed/);
    expect(loaded).toEqual(['src:1', 'src:2', 'src:3']);
    await first.close();
    const second = await open(d);
    // The whole record comes back (the loader's recent-ids check drops 1-3, already stored).
    expect(second.replayedKeys()).toEqual(['src:1', 'src:2', 'src:3', 'src:4', 'src:5']);
    await second.close();
  });

  it('keeps non-ASCII rows and keys byte-exact through the log', async () => {
    const d = dir();
    const first = await open(d);
    const odd: AcceptedEvent = { dedupKey: 'src:é-🛒', partitionKey: 'Zoë', rowText: '["日本語 \\"q\\" 🛒"]\n' };
    await first.publish([ev(1), odd]);
    await first.close();
    const second = await open(d);
    const got: QueuedEvent[] = [];
    second.consume(async (batch) => {
      got.push(...batch);
    });
    await second.flush();
    expect(got.map((e) => [e.dedupKey, e.partitionKey, e.row.toString('utf8')])).toEqual([
      ['src:1', 'u1', '[1]\n'],
      [odd.dedupKey, odd.partitionKey, odd.rowText],
    ]);
    await second.close();
  });

  it('replays records written in the older one-event-per-record layout', async () => {
    const d = dir();
    const { log } = await GroupCommitLog.open({ dir: d });
    const oldRecord = (key: string, part: string, row: string) => {
      const head = Buffer.alloc(4);
      head.writeUInt16LE(Buffer.byteLength(key), 0);
      head.writeUInt16LE(Buffer.byteLength(part), 2);
      return Buffer.concat([head, Buffer.from(key), Buffer.from(part), Buffer.from(row)]);
    };
    await log.append([oldRecord('src:a', 'ua', '["a"]\n'), oldRecord('src:b', 'ub', '["b"]\n')]);
    await log.close();
    const q = await open(d);
    const got: QueuedEvent[] = [];
    q.consume(async (batch) => {
      got.push(...batch);
    });
    await q.flush();
    expect(got.map((e) => [e.dedupKey, e.partitionKey, e.row.toString()])).toEqual([
      ['src:a', 'ua', '["a"]\n'],
      ['src:b', 'ub', '["b"]\n'],
    ]);
    await q.close();
    const reopened = await open(d);
    expect(reopened.replayedKeys()).toEqual([]);
    await reopened.close();
  });
});
