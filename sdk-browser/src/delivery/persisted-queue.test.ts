import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../test/fixtures/memory-storage.js';
import type { Message } from '../core/types.js';
import { webStorage } from '../identity/web-storage.js';
import { createPersistedQueue } from './persisted-queue.js';

const msg = (id: string): Message => ({ type: 'track', event: 'E', messageId: id, timestamp: '2025-06-01T10:00:00.000Z', anonymousId: 'a', context: {} });
const ids = (items: Message[]) => items.map((m) => m.messageId);
const yes = () => true;

describe('createPersistedQueue', () => {
  it('mirrors its events to storage and removes acknowledged ones', () => {
    const store = webStorage(() => memoryStorage());
    const q = createPersistedQueue(store, 100, yes);
    q.add(msg('1'));
    q.add(msg('2'));
    const [key] = store.keys();
    expect(key).toMatch(/^sx_q\.\w+$/);
    expect(ids(JSON.parse(store.get(key!)!).q)).toEqual(['1', '2']);
    q.remove(['1']);
    expect(ids(JSON.parse(store.get(key!)!).q)).toEqual(['2']);
    q.remove(['2']);
    expect(store.keys()).toEqual([]); // nothing left: no key
  });

  it('keeps at most `max` events, dropping the oldest', () => {
    const store = webStorage(() => memoryStorage());
    const q = createPersistedQueue(store, 3, yes);
    for (const id of ['1', '2', '3', '4', '5']) q.add(msg(id));
    expect(ids(q.items)).toEqual(['3', '4', '5']);
    expect(ids(JSON.parse(store.get(store.keys()[0]!)!).q)).toEqual(['3', '4', '5']);
  });

  it('drops the oldest half until the queue fits when storage is full', () => {
    const store = webStorage(() => memoryStorage(2_000));
    const q = createPersistedQueue(store, 1000, yes);
    for (let i = 0; i < 40; i++) q.add(msg(`id-${i}`));
    expect(q.items.length).toBeLessThan(40);
    expect(q.items.length).toBeGreaterThan(0);
    expect(q.items.at(-1)!.messageId).toBe('id-39'); // the newest are kept
    expect(JSON.parse(store.get(store.keys()[0]!)!).q).toHaveLength(q.items.length);
  });

  it('hands the events of a page that was left (reload, navigation, closed tab) to the next page', () => {
    const store = webStorage(() => memoryStorage());
    const before = createPersistedQueue(store, 100, yes);
    before.add(msg('1'));
    before.add(msg('2'));
    before.leave();
    const after = createPersistedQueue(store, 100, yes);
    expect(ids(after.items)).toEqual(['1', '2']);
    expect(store.keys()).toHaveLength(1); // the old key is gone, the new page owns the events
  });

  it('leaves a live tab its events, and claims those of a tab silent for 5 minutes (crashed)', () => {
    const store = webStorage(() => memoryStorage());
    let now = 1_000_000;
    const clock = () => now;
    const live = createPersistedQueue(store, 100, yes, clock);
    live.add(msg('live'));
    expect(createPersistedQueue(store, 100, yes, clock).items).toEqual([]);
    now += 5 * 60_000;
    expect(ids(createPersistedQueue(store, 100, yes, clock).items)).toEqual(['live']);
  });

  it('a page restored from the back/forward cache owns its key again', () => {
    const store = webStorage(() => memoryStorage());
    const q = createPersistedQueue(store, 100, yes);
    q.add(msg('1'));
    q.leave();
    q.resume();
    expect(createPersistedQueue(store, 100, yes).items).toEqual([]);
  });

  it('sends an event claimed twice (two keys) once', () => {
    const store = webStorage(() => memoryStorage());
    store.set('sx_q.a', JSON.stringify({ t: 0, q: [msg('1'), msg('2')] }));
    store.set('sx_q.b', JSON.stringify({ t: 0, q: [msg('2'), msg('3')] }));
    store.set('sx_q.c', '{corrupt');
    expect(ids(createPersistedQueue(store, 100, yes).items)).toEqual(['1', '2', '3']);
  });

  it('touches no storage while it may not (consent awaited or refused)', () => {
    const store = webStorage(() => memoryStorage());
    store.set('sx_q.old', JSON.stringify({ t: 0, q: [msg('old')] }));
    const q = createPersistedQueue(store, 100, () => false);
    q.add(msg('1'));
    expect(ids(q.items)).toEqual(['1']);
    expect(store.keys()).toEqual(['sx_q.old']);
  });

  it('clear() forgets every queue on this origin', () => {
    const store = webStorage(() => memoryStorage());
    store.set('sx_q.other', JSON.stringify({ t: Date.now(), q: [msg('x')] }));
    store.set('unrelated', '1');
    const q = createPersistedQueue(store, 100, yes);
    q.add(msg('1'));
    q.clear();
    expect(q.items).toEqual([]);
    expect(store.keys()).toEqual(['unrelated']);
  });
});
