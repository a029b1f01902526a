import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommitLog } from './group-commit-log.js';

const dirs: string[] = [];
function freshDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'gcl-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const payload = (i: number) => Buffer.from(`event-${i}`);

describe('GroupCommitLog', () => {
  it('gathers concurrent appends into shared writes and replays them in order after reopening', async () => {
    const dir = freshDir();
    const { log, unconsumed } = await GroupCommitLog.open({ dir });
    expect(unconsumed).toEqual([]);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append([payload(i)])));
    const ends = results.map((r) => r[0]!);
    expect([...ends].sort((a, b) => a - b)).toEqual(ends); // offsets follow call order
    await log.close();
    const reopened = await GroupCommitLog.open({ dir });
    expect(reopened.unconsumed.map((r) => r.payload.toString())).toEqual(Array.from({ length: 200 }, (_, i) => `event-${i}`));
    expect(reopened.unconsumed.map((r) => r.endOffset)).toEqual(ends);
    await reopened.log.close();
  });

  it('replays only what was appended after the checkpoint', async () => {
    const dir = freshDir();
    const { log } = await GroupCommitLog.open({ dir });
    const [a] = await log.append([payload(1)]);
    await log.append([payload(2), payload(3)]);
    await log.commit(a!);
    await log.close();
    const { log: again, unconsumed } = await GroupCommitLog.open({ dir });
    expect(unconsumed.map((r) => r.payload.toString())).toEqual(['event-2', 'event-3']);
    await again.close();
  });

  it('cuts off a torn record at the tail (a crash mid-write) and keeps appending after it', async () => {
    const dir = freshDir();
    const { log } = await GroupCommitLog.open({ dir });
    await log.append([payload(1), payload(2)]);
    await log.close();
    const [segment] = readdirSync(dir).filter((n) => n.endsWith('.log'));
    const file = path.join(dir, segment!);
    const goodSize = statSync(file).size;
    appendFileSync(file, Buffer.from([50, 0, 0, 0, 1, 2, 3, 4, 65, 66])); // header says 50 bytes, only 2 follow
    const { log: again, unconsumed } = await GroupCommitLog.open({ dir });
    expect(unconsumed.map((r) => r.payload.toString())).toEqual(['event-1', 'event-2']);
    expect(statSync(file).size).toBe(goodSize);
    await again.append([payload(3)]);
    await again.close();
    const third = await GroupCommitLog.open({ dir });
    expect(third.unconsumed.map((r) => r.payload.toString())).toEqual(['event-1', 'event-2', 'event-3']);
    await third.log.close();
  });

  it('detects a corrupted record by its checksum', async () => {
    const dir = freshDir();
    const { log } = await GroupCommitLog.open({ dir });
    await log.append([payload(1)]);
    await log.close();
    const [segment] = readdirSync(dir).filter((n) => n.endsWith('.log'));
    const file = path.join(dir, segment!);
    // Same length, different bytes: flip the payload's last byte.
    const { readFileSync, writeFileSync } = await import('node:fs');
    const data = readFileSync(file);
    data[data.length - 1] = data[data.length - 1]! ^ 0xff;
    writeFileSync(file, data);
    const { log: again, unconsumed } = await GroupCommitLog.open({ dir });
    expect(unconsumed).toEqual([]);
    await again.close();
  });

  it('rolls segments and deletes the ones fully consumed', async () => {
    const dir = freshDir();
    const { log } = await GroupCommitLog.open({ dir, segmentBytes: 100 });
    let last = 0;
    for (let i = 0; i < 20; i++) last = (await log.append([payload(i)]))[0]!;
    expect(readdirSync(dir).filter((n) => n.endsWith('.log')).length).toBeGreaterThanOrEqual(3);
    await log.commit(last);
    expect(readdirSync(dir).filter((n) => n.endsWith('.log')).length).toBeLessThanOrEqual(2);
    await log.append([payload(99)]);
    await log.close();
    const { log: again, unconsumed } = await GroupCommitLog.open({ dir, segmentBytes: 100 });
    expect(unconsumed.map((r) => r.payload.toString())).toEqual(['event-99']);
    await again.close();
  });
});
