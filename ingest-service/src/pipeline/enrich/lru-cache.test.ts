import { describe, expect, it } from 'vitest';
import { createLruCache } from './lru-cache.js';

type Step = ['get', string] | ['set', string, number];

describe('createLruCache', () => {
  it.each<{ name: string; steps: Step[]; expected: Record<string, number | undefined> }>([
    {
      name: 'keeps entries up to the bound',
      steps: [['set', 'a', 1], ['set', 'b', 2]],
      expected: { a: 1, b: 2 },
    },
    {
      name: 'evicts the least recently inserted entry when full',
      steps: [['set', 'a', 1], ['set', 'b', 2], ['set', 'c', 3]],
      expected: { a: undefined, b: 2, c: 3 },
    },
    {
      name: 'a read refreshes an entry so the other one is evicted',
      steps: [['set', 'a', 1], ['set', 'b', 2], ['get', 'a'], ['set', 'c', 3]],
      expected: { a: 1, b: undefined, c: 3 },
    },
    {
      name: 'overwriting a key refreshes it and does not grow the cache',
      steps: [['set', 'a', 1], ['set', 'b', 2], ['set', 'a', 10], ['set', 'c', 3]],
      expected: { a: 10, b: undefined, c: 3 },
    },
  ])('$name', ({ steps, expected }) => {
    const cache = createLruCache<string, number>(2);
    for (const step of steps) {
      if (step[0] === 'get') cache.get(step[1]);
      else cache.set(step[1], step[2]);
    }
    expect(cache.size).toBeLessThanOrEqual(2);
    for (const [key, value] of Object.entries(expected)) expect(cache.get(key)).toBe(value);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects a bound of %s', (bound) => {
    expect(() => createLruCache(bound)).toThrow(RangeError);
  });
});
