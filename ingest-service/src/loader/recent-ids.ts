import { randomBytes } from 'node:crypto';

/**
 * A bounded set of recently stored event keys, oldest evicted first. It is how redelivered events
 * (client retries, a replay after a crash) are dropped before insert, so reads never need FINAL.
 *
 * Keys are kept as 128-bit hashes in typed arrays, not as strings in a `Set`: a million live strings
 * made every major GC of the loader walk them (a fifth of its main thread under load). Two different
 * keys are taken for one only if all 128 bits agree (odds ~capacity / 2^128 per key, and the hash is
 * seeded per process). Layout: a ring of hashes in insertion order (eviction = overwrite the oldest)
 * and an open-addressing index (linear probing, backward-shift deletion) holding ring slot + 1.
 */
export class RecentIds {
  /** 4 words per ring slot: the key's hash. */
  private readonly ring: Uint32Array;
  /** 1 while the ring slot's key is in the set (0 once deleted). */
  private readonly live: Uint8Array;
  private readonly index: Uint32Array;
  private readonly mask: number;
  private readonly seed: number;
  /** Next ring slot to write; slots written so far (up to capacity); keys in the set. */
  private head = 0;
  private written = 0;
  private liveKeys = 0;
  private readonly h = new Uint32Array(4);

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RecentIds capacity must be a positive integer, got ${capacity}`);
    this.ring = new Uint32Array(capacity * 4);
    this.live = new Uint8Array(capacity);
    let size = 1024;
    while (size < capacity * 2) size *= 2; // load ≤ 1/2 keeps probes short
    this.index = new Uint32Array(size);
    this.mask = size - 1;
    this.seed = randomBytes(4).readUInt32LE(0);
  }

  has(id: string): boolean {
    this.hash(id);
    return this.find() >= 0;
  }

  /** Adds a key; true when it was not there yet (a key already there is not refreshed). */
  add(id: string): boolean {
    this.hash(id);
    let i = this.probe();
    if (this.index[i] !== 0) return false;
    const slot = this.head;
    if (this.written === this.capacity) {
      if (this.live[slot]) {
        this.remove(this.positionOf(slot));
        i = this.probe(); // removing may have shifted entries: find the free position again
      }
    } else {
      this.written++;
    }
    const o = slot * 4;
    this.ring[o] = this.h[0]!;
    this.ring[o + 1] = this.h[1]!;
    this.ring[o + 2] = this.h[2]!;
    this.ring[o + 3] = this.h[3]!;
    this.live[slot] = 1;
    this.liveKeys++;
    this.index[i] = slot + 1;
    this.head = slot + 1 === this.capacity ? 0 : slot + 1;
    return true;
  }

  /** Forgets a key (an event that was not stored after all). */
  delete(id: string): void {
    this.hash(id);
    const i = this.find();
    if (i >= 0) this.remove(i);
  }

  /** Keys held (at most `capacity`). */
  get size(): number {
    return this.liveKeys;
  }

  /** The index position holding the current hash, or -1. */
  private find(): number {
    const i = this.probe();
    return this.index[i] !== 0 ? i : -1;
  }

  /** Linear probe for the current hash: its position, else the empty position that ends its run. */
  private probe(): number {
    let i = this.h[0]! & this.mask;
    while (this.index[i] !== 0 && !this.sameHash(this.index[i]! - 1)) i = (i + 1) & this.mask;
    return i;
  }

  private positionOf(slot: number): number {
    let i = this.ring[slot * 4]! & this.mask;
    while (this.index[i] !== slot + 1) i = (i + 1) & this.mask;
    return i;
  }

  private sameHash(slot: number): boolean {
    const o = slot * 4;
    return this.ring[o] === this.h[0] && this.ring[o + 1] === this.h[1] && this.ring[o + 2] === this.h[2] && this.ring[o + 3] === this.h[3];
  }

  /** Empties index position `pos`, shifting later entries of the probe run back (no tombstones). */
  private remove(pos: number): void {
    const slot = this.index[pos]! - 1;
    this.live[slot] = 0;
    this.liveKeys--;
    let i = pos;
    let j = pos;
    for (;;) {
      this.index[i] = 0;
      for (;;) {
        j = (j + 1) & this.mask;
        if (this.index[j] === 0) return;
        const home = this.ring[(this.index[j]! - 1) * 4]! & this.mask;
        // the entry at j may move to i unless its home lies cyclically in (i, j]
        const stays = i <= j ? i < home && home <= j : i < home || home <= j;
        if (!stays) break;
      }
      this.index[i] = this.index[j]!;
      i = j;
    }
  }

  /** 128-bit hash of a string into `this.h`: four seeded multiply-xor lanes, each finished with murmur3's fmix32. */
  private hash(s: string): void {
    let a = this.seed ^ 0x9e3779b9;
    let b = this.seed ^ 0x85ebca6b;
    let c = this.seed ^ 0xc2b2ae35;
    let d = this.seed ^ 0x27d4eb2f;
    for (let k = 0; k < s.length; k++) {
      const x = s.charCodeAt(k);
      a = Math.imul(a ^ x, 0x01000193);
      b = Math.imul(b ^ x, 0x5bd1e995);
      c = Math.imul((c ^ x) + (c >>> 15), 0xcc9e2d51);
      d = Math.imul((d ^ x) + (d >>> 13), 0x1b873593);
    }
    const n = s.length;
    this.h[0] = fmix32(a ^ n);
    this.h[1] = fmix32(b ^ Math.imul(n, 0x27d4eb2f));
    this.h[2] = fmix32(c + a);
    this.h[3] = fmix32(d + b);
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
