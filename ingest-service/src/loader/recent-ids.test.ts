import { describe, expect, it } from 'vitest';
import { RecentIds } from './recent-ids.js';

describe('RecentIds', () => {
  it('remembers up to its capacity and forgets the oldest first', () => {
    const ids = new RecentIds(3);
    for (const id of ['a', 'b', 'c']) expect(ids.add(id)).toBe(true);
    expect(ids.add('a')).toBe(false); // already there: does not refresh or grow
    expect(ids.size).toBe(3);
    expect(ids.add('d')).toBe(true);
    expect(ids.size).toBe(3);
    expect(ids.has('a')).toBe(false);
    expect(['b', 'c', 'd'].every((id) => ids.has(id))).toBe(true);
    expect(ids.add('a')).toBe(true); // forgotten, so new again
  });

  it('keeps a large window exactly', () => {
    const ids = new RecentIds(100_000);
    for (let i = 0; i < 250_000; i++) expect(ids.add(`src:k${i}`)).toBe(true);
    expect(ids.size).toBe(100_000);
    expect(ids.has('src:k249999')).toBe(true);
    expect(ids.has('src:k150000')).toBe(true);
    expect(ids.has('src:k149999')).toBe(false);
    for (let i = 150_000; i < 250_000; i++) expect(ids.add(`src:k${i}`)).toBe(false);
  });

  it('forgets a deleted key, and a deleted key does not break eviction of the others', () => {
    const ids = new RecentIds(4);
    for (const id of ['w', 'x', 'y', 'z']) ids.add(id);
    ids.delete('x');
    ids.delete('never-added');
    expect(ids.has('x')).toBe(false);
    expect(ids.size).toBe(3);
    ids.add('v'); // overwrites w's ring slot (the oldest)
    expect(ids.has('w')).toBe(false);
    expect(['y', 'z', 'v'].every((id) => ids.has(id))).toBe(true);
    expect(ids.size).toBe(3);
  });

  it('tells apart keys that differ in one character, by length or only in non-ASCII text', () => {
    const ids = new RecentIds(100);
    for (const id of ['src:a', 'src:b', 'src:ab', 'src:ba', 'src:', 'src:é', 'src:e', 'src:😀', 'src:😁']) expect(ids.add(id)).toBe(true);
    expect(ids.size).toBe(9);
  });

  it('agrees with a reference FIFO set under random adds, repeats and deletes (probe runs that wrap and shift)', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const capacity = 500; // index of 1,024 positions: long runs and wrap-around at this load
    const ids = new RecentIds(capacity);
    // reference: the ring's slots in insertion order; a deleted key leaves its slot until overwritten
    const ring: (string | null)[] = [];
    const live = new Set<string>();
    for (let step = 0; step < 50_000; step++) {
      const key = `k${rand(2_000)}`;
      const op = rand(10);
      if (op < 7) {
        const expected = !live.has(key);
        expect(ids.add(key)).toBe(expected);
        if (expected) {
          if (ring.length === capacity) {
            const oldest = ring.shift();
            if (oldest != null) live.delete(oldest);
          }
          ring.push(key);
          live.add(key);
        }
      } else if (op < 9) {
        expect(ids.has(key)).toBe(live.has(key));
      } else {
        ids.delete(key);
        if (live.delete(key)) ring[ring.indexOf(key)] = null;
      }
      expect(ids.size).toBe(live.size);
    }
    for (let k = 0; k < 2_000; k++) expect(ids.has(`k${k}`)).toBe(live.has(`k${k}`));
  });
});
