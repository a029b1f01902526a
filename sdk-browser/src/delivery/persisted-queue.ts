import type { Message } from '../core/types.js';
import { parseJson, type KeyValueStore } from '../identity/web-storage.js';

/**
 * Events not yet acknowledged by the server, mirrored to localStorage so that they survive reloads,
 * closed tabs and days offline. Each page view owns one key (`sx_q.<random>` → `{ t, q }`, `t` being
 * the last write, 0 once the page is left); a page that starts claims the keys of pages that were left
 * or have not written for 5 minutes (a crashed tab) and sends their events. Two pages claiming the same
 * key at once both send it: the server stores each `messageId` once.
 *
 * Bounded: beyond `max` events, or when storage is full, the oldest are dropped.
 */
export interface PersistedQueue {
  items: Message[];
  add(m: Message): void;
  remove(ids: string[]): void;
  /** The page is being left: mark the key so the next page claims it at once. */
  leave(): void;
  /** The page is back (back/forward cache): own the key again. */
  resume(): void;
  save(): void;
  clear(): void;
}

const PREFIX = 'sx_q.';
const STALE_MS = 5 * 60_000;

export function createPersistedQueue(store: KeyValueStore, max: number, enabled: () => boolean, now = Date.now): PersistedQueue {
  const key = PREFIX + Math.random().toString(36).slice(2);
  let left = false;
  const q: PersistedQueue = {
    items: [],
    add(m) {
      q.items.push(m);
      q.save();
    },
    remove(ids) {
      q.items = q.items.filter((m) => ids.indexOf(m.messageId) < 0);
      q.save();
    },
    leave() {
      left = true;
      q.save();
    },
    resume() {
      left = false;
      q.save();
    },
    save() {
      if (q.items.length > max) q.items = q.items.slice(-max);
      if (!enabled()) return;
      if (!q.items.length) return store.del(key);
      // Storage full: drop the oldest half until it fits (or nothing is left to keep).
      while (!store.set(key, JSON.stringify({ t: left ? 0 : now(), q: q.items })) && q.items.length) {
        q.items = q.items.slice(Math.ceil(q.items.length / 2));
      }
    },
    clear() {
      q.items = [];
      for (const k of store.keys()) if (k.indexOf(PREFIX) == 0) store.del(k);
    },
  };
  if (enabled()) {
    const seen: Record<string, 1> = {};
    for (const k of store.keys()) {
      if (k.indexOf(PREFIX) != 0) continue;
      const v = parseJson<{ t?: number; q?: Message[] }>(store.get(k));
      if (v && v.t && now() - v.t < STALE_MS) continue;
      for (const m of (v && v.q) || []) {
        if (m && m.messageId && !seen[m.messageId]) {
          seen[m.messageId] = 1;
          q.items.push(m);
        }
      }
      store.del(k);
    }
    q.save();
  }
  return q;
}
