/**
 * A small seeded PRNG (sfc32, seeded through a 32-bit string hash) and the draws the simulator needs.
 * Every shopper gets its own stream (`forKey(seed, 'shopper', i)`), so a shopper's journey depends
 * only on the seed and its index: the same seed gives the same events in any order of generation.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** Integer in [min, max] (both included). */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  between(min: number, max: number): number;
  /** An element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** An element, drawn with the given weights (same length, not all zero). */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
  /** Exponential with the given mean. */
  exponential(mean: number): number;
  /** 0, 1, 2, ... with P(k) = (1-p)^k p: the number of failures before a success. */
  geometric(p: number): number;
  /** Lower-case hex characters (for click ids and tokens). */
  hex(length: number): string;
}

/** cyrb53-style 32-bit hashes of a string: four independent words to seed sfc32. */
function hashWords(key: string): [number, number, number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  let h3 = 0x9e3779b9;
  let h4 = 0x85ebca6b;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
    h3 = Math.imul(h3 ^ c, 2246822507);
    h4 = Math.imul(h4 ^ c, 3266489909);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h3 ^ (h3 >>> 13), 3266489909);
  h3 = Math.imul(h3 ^ (h3 >>> 16), 2246822507) ^ Math.imul(h4 ^ (h4 >>> 13), 3266489909);
  h4 = Math.imul(h4 ^ (h4 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A 32-bit hash of a string, as 8 hex characters (stable ids derived from the seed). */
export function hashHex(key: string): string {
  return hashWords(key)[0].toString(16).padStart(8, '0');
}

/** A stream for `seed` and a path of keys, e.g. `forKey(42, 'shopper', 17)`. */
export function forKey(seed: number | string, ...path: (string | number)[]): Random {
  return createRandom(`${seed}/${path.join('/')}`);
}

export function createRandom(key: string): Random {
  let [a, b, c, d] = hashWords(key);
  const next = (): number => {
    // sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), public domain.
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Warm up: the first outputs of sfc32 are correlated with the seed words.
  for (let i = 0; i < 12; i++) next();

  const random: Random = {
    next,
    chance: (p) => next() < p,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    weighted: (items, weights) => {
      let total = 0;
      for (const w of weights) total += w;
      let r = next() * total;
      for (let i = 0; i < items.length; i++) {
        r -= weights[i] ?? 0;
        if (r < 0) return items[i] as (typeof items)[number];
      }
      return items[items.length - 1] as (typeof items)[number];
    },
    exponential: (mean) => -Math.log(1 - next()) * mean,
    geometric: (p) => (p >= 1 ? 0 : Math.floor(Math.log(1 - next()) / Math.log(1 - p))),
    hex: (length) => {
      let s = '';
      while (s.length < length) s += Math.floor(next() * 4294967296).toString(16).padStart(8, '0');
      return s.slice(0, length);
    },
  };
  return random;
}
