import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.js';

describe('RecentIds', () => {
  it('remembers up to its capacity (plus a small eviction slack) and forgets the oldest first', () => {
    const ids = new RecentIds(3); // slack 1: up to 4 keys, then back to 3
    for (const id of ['a', 'b', 'c', 'd']) expect(ids.add(id)).toBe(true);
    expect(ids.add('a')).toBe(false); // already there: does not refresh or grow
    expect(ids.size).toBe(4);
    ids.add('e');
    expect(ids.size).toBe(3);
    expect(['a', 'b'].some((id) => ids.has(id))).toBe(false);
    expect(['c', 'd', 'e'].every((id) => ids.has(id))).toBe(true);
  });

  it('keeps a large window within 1 % of its capacity', () => {
    const ids = new RecentIds(100_000);
    for (let i = 0; i < 250_000; i++) ids.add(`k${i}`);
    expect(ids.size).toBeGreaterThanOrEqual(100_000);
    expect(ids.size).toBeLessThanOrEqual(101_000);
    expect(ids.has('k249999')).toBe(true);
    expect(ids.has('k100000')).toBe(false);
  });

  it('forgets a deleted key', () => {
    const ids = new RecentIds(10);
    ids.add('x');
    ids.delete('x');
    expect(ids.has('x')).toBe(false);
  });
});
