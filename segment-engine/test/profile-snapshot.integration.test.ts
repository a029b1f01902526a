import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { findPerson } from '../src/profiles/find-person.js';
import { loadProfile } from '../src/profiles/load-profile.js';
import { deletePerson } from '../src/privacy/delete-person.js';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { refreshSegmentMembership } from '../src/segments/refresh-memberships.js';
import { SegmentRepository } from '../src/segments/segment-repository.js';
import { CATALOG_MAX_AGE_MS } from '../src/segments/segment-catalog.js';
import { extractIdentityEdges } from '../src/identity/extract-identity-edges.js';
import { resolveIdentities } from '../src/identity/resolve-identities.js';
import { DEFAULT_IDENTITY_RULES } from '../src/identity/union-find.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

// A lookup of an identifier some refresh has seen reads the profile snapshot (migration 0014) and the
// live recent events; anything else goes through the tables. Both must give the same answer.

let db: EngineStore;
let segments: SegmentRepository;
const now = new Date('2024-06-01T00:00:00Z');

beforeAll(async () => {
  db = await startEngineStore();
  await db.insertEvents([
    { anonymous_id: 'dev-1', event: 'Product Viewed', timestamp: '2024-05-20 10:00:00', properties: { category: 'Footwear' }, utm_source: 'facebook' },
    { anonymous_id: 'dev-1', user_id: 'u-1', type: 'identify', timestamp: '2024-05-20 10:01:00', traits: { email: 'one@example.com', plan: 'pro' } },
    { user_id: 'u-1', event: 'Order Completed', timestamp: '2024-05-20 10:02:00', revenue: 40, currency: 'USD', properties: { coupon: 'X' } },
    { anonymous_id: 'dev-1b', user_id: 'u-1', event: 'Product Viewed', timestamp: '2024-05-21 08:00:00' },
    { anonymous_id: 'dev-2', event: 'Product Viewed', timestamp: '2024-05-25 09:00:00' },
    { anonymous_id: 'dev-2', event: 'Cart Viewed', timestamp: '2024-05-25 09:05:00' },
    { anonymous_id: 'dev-3', user_id: 'u-3', type: 'identify', timestamp: '2024-05-26 09:00:00', traits: { email: 'three@example.com' } },
    { user_id: 'u-3', event: 'Order Completed', timestamp: '2024-05-26 09:01:00', revenue: 10, currency: 'USD' },
  ]);
  segments = new SegmentRepository(db.store.client);
  await segments.create('segment', { name: 'Buyers', description: '', definition: { type: 'event', event: 'Order Completed' } });
  await segments.create('segment', { name: 'Any viewer', description: '', definition: { type: 'event', event: 'Product Viewed' } });
  await refreshEngine(db.store.client, db.store, {}, now);
});
afterAll(async () => db?.stop());

/** A client that records the SQL of every query it runs (what path a lookup took). */
function recording(client: ClickHouseClient): { client: ClickHouseClient; queries: string[] } {
  const queries: string[] = [];
  const wrapped = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return (params: Parameters<ClickHouseClient['query']>[0]) => {
          queries.push(params.query);
          return target.query(params);
        };
      }
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { client: wrapped, queries };
}

/** Whether a query is the segment catalog's read (cached between lookups, see segment-catalog.ts). */
const isCatalogRead = (sql: string) => sql.includes('FROM segment_definitions');

/**
 * The lookup through the snapshot, checked to be the fast path: one query (the snapshot point read with
 * the recent events, and the person's membership changes when segments changed since), no join, besides
 * the segment catalog's read when its cache is cold. Returns the lookup's queries without that read.
 */
async function fastLookup(identifier: string) {
  const { client, queries } = recording(db.store.client);
  const person = (await findPerson(client, identifier))!;
  const profile = await loadProfile(client, person, 20, now);
  expect(person.snapshot, identifier).toBeDefined();
  const lookup = queries.filter((q) => !isCatalogRead(q));
  expect(lookup, identifier).toHaveLength(1);
  expect(queries.length - lookup.length, identifier).toBeLessThanOrEqual(1);
  for (const q of queries) expect(q, identifier).not.toMatch(/\bJOIN\b/i);
  return { person, profile, queries: lookup };
}

/** The profile through the snapshot and through the tables (findPerson without it). */
async function bothWays(identifier: string) {
  const viaSnapshot = (await findPerson(db.store.client, identifier))!;
  const viaTables = (await findPerson(db.store.client, identifier, 'US', { useSnapshot: false }))!;
  return {
    viaSnapshot,
    snapshot: await loadProfile(db.store.client, viaSnapshot, 20, now),
    tables: await loadProfile(db.store.client, viaTables, 20, now),
  };
}

describe('profile snapshots', () => {
  it('answers every kind of identifier from the snapshot exactly as the tables do', async () => {
    for (const id of ['u-1', 'dev-1', 'dev-1b', 'one@example.com', 'dev-2', 'u-3']) {
      const { viaSnapshot, snapshot, tables } = await bothWays(id);
      expect(viaSnapshot.snapshot, id).toBeDefined();
      expect(snapshot, id).toEqual(tables);
    }
    const { snapshot } = await bothWays('dev-1');
    expect(snapshot.identities.map((i) => `${i.kind}:${i.value}`)).toHaveLength(4);
    expect(snapshot.computedTraits).toMatchObject({ orders_count: 1, lifetime_revenue: 40, discount_share: 1 });
    expect(snapshot.traits).toMatchObject({ plan: 'pro' });
    expect(snapshot.segments.map((s) => s.name)).toEqual(['Any viewer', 'Buyers']);
    expect(snapshot.tags.length).toBeGreaterThan(0);
    const dev2 = (await bothWays('dev-2')).snapshot;
    expect(dev2.identities).toEqual([{ kind: 'anonymous_id', value: 'dev-2' }]);
  });

  it('reads the recent events with the snapshot, and again when more are asked for than were read', async () => {
    const { tables } = await bothWays('dev-1');
    expect(tables.recentEvents.length).toBeGreaterThan(2);
    const few = (await findPerson(db.store.client, 'dev-1', 'US', { recentEvents: 1 }))!;
    expect(few.snapshot?.recent.events).toHaveLength(1);
    expect(await loadProfile(db.store.client, few, 20, now)).toEqual(tables); // read again, all of them
    const many = (await findPerson(db.store.client, 'dev-1', 'US', { recentEvents: 20 }))!;
    expect((await loadProfile(db.store.client, many, 2, now)).recentEvents).toEqual(tables.recentEvents.slice(0, 2));
  });

  it('shows events newer than the snapshot, and finds identifiers no refresh has seen yet', async () => {
    await db.insertEvents([
      { anonymous_id: 'dev-2', event: 'Checkout Started', timestamp: '2024-05-31 09:00:00' },
      { anonymous_id: 'dev-9', event: 'Product Viewed', timestamp: '2024-05-31 10:00:00' },
    ]);
    const dev2 = await findPerson(db.store.client, 'dev-2');
    expect(dev2?.snapshot).toBeDefined();
    expect((await loadProfile(db.store.client, dev2!, 20, now)).recentEvents.map((e) => e.event)).toEqual(['Checkout Started', 'Cart Viewed', 'Product Viewed']);
    const dev9 = await findPerson(db.store.client, 'dev-9');
    expect(dev9?.snapshot).toBeUndefined();
    expect((await loadProfile(db.store.client, dev9!, 20, now)).recentEvents.map((e) => e.event)).toEqual(['Product Viewed']);
  });

  it('stays on the snapshot after membership refreshes, renames and deletes, with the current memberships', async () => {
    const [buyers] = (await segments.list('segment')).filter((s) => s.name === 'Buyers');
    // A refresh in which nobody entered or left changes nothing a snapshot holds.
    expect((await refreshSegmentMembership(db.store.client, buyers!, now)).entered).toBe(0);
    expect((await fastLookup('u-1')).person.snapshot?.segmentsCurrent).toBe(true);
    // A rename shows at once, from the definitions the snapshot read already reads.
    const renamed = await segments.update(buyers!, { name: 'Customers', description: '', definition: { type: 'event', event: 'Order Completed' } });
    expect((await fastLookup('u-1')).profile.segments.map((s) => s.name)).toEqual(['Any viewer', 'Customers']);
    expect((await bothWays('u-1')).snapshot).toEqual((await bothWays('u-1')).tables);
    // A refresh that changed members: u-1 leaves, dev-2 enters (its Checkout Started came after the snapshot).
    await segments.update(renamed, { name: 'Customers', description: '', definition: { type: 'event', event: 'Checkout Started' } });
    const refresh = await refreshSegmentMembership(db.store.client, (await segments.get(renamed.id))!, now);
    expect(refresh).toMatchObject({ entered: 1, left: 2 }); // u-3 leaves too
    const u1 = await fastLookup('u-1');
    expect(u1.person.snapshot?.segmentsCurrent).toBe(false);
    expect(u1.queries[0]).toContain('segment_membership_changes');
    expect(u1.profile.segments.map((s) => s.name)).toEqual(['Any viewer']);
    const dev2 = await fastLookup('dev-2');
    expect(dev2.profile.segments).toEqual([
      { id: expect.any(String), name: 'Any viewer', since: '2024-06-01 00:00:00.000' },
      { id: renamed.id, name: 'Customers', since: '2024-06-01 00:00:00.000' },
    ]);
    for (const id of ['u-1', 'dev-1', 'dev-2']) {
      const { snapshot, tables } = await bothWays(id);
      expect(snapshot, id).toEqual(tables);
    }
    // Changes of a refresh not recorded (yet) in segment_refreshes are not applied (the tables' answer
    // only counts recorded versions either).
    const v = Number((await db.query<{ v: string }>('SELECT max(version) AS v FROM segment_refreshes', {}))[0]!.v);
    await db.store.client.insert({
      table: 'segment_membership_changes',
      values: [{ segment_id: renamed.id, person_id: u1.person.personId, change: 'entered', version: v + 1000, at: '2024-06-01 00:00:00.000' }],
      format: 'JSONEachRow',
    });
    expect((await fastLookup('u-1')).profile.segments.map((s) => s.name)).toEqual(['Any viewer']);
    expect((await bothWays('u-1')).snapshot.segments).toEqual((await bothWays('u-1')).tables.segments);
    // A deleted segment is gone at once.
    await segments.delete((await segments.get(renamed.id))!);
    const afterDelete = await fastLookup('dev-2');
    expect(afterDelete.profile.segments.map((s) => s.name)).toEqual(['Any viewer']);
    // (its changes need no read any more: no other segment changed since the snapshot)
    expect(afterDelete.person.snapshot?.segmentsCurrent).toBe(true);
    expect(afterDelete.queries[0]).not.toContain('segment_membership_changes');
    const { snapshot, tables } = await bothWays('dev-2');
    expect(snapshot).toEqual(tables);
    // A new segment refreshed after the snapshot (not in its recorded versions at all).
    const viewers = await segments.create('segment', { name: 'Cart viewers', description: '', definition: { type: 'event', event: 'Cart Viewed' } });
    await refreshSegmentMembership(db.store.client, viewers, now);
    expect((await fastLookup('dev-2')).profile.segments.map((s) => s.name)).toEqual(['Any viewer', 'Cart viewers']);
    expect((await fastLookup('u-1')).profile.segments.map((s) => s.name)).toEqual(['Any viewer']);
    expect((await bothWays('dev-2')).snapshot).toEqual((await bothWays('dev-2')).tables);
  });

  it('caches the segment catalog: one query per lookup, writes of other processes show within its max age', async () => {
    // Date only (the client's timers stay real): the cache's age is what the test says it is.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      const { client, queries } = recording(db.store.client);
      const lookup = async (id: string) => {
        queries.length = 0;
        const person = (await findPerson(client, id))!;
        return { person, profile: await loadProfile(client, person, 20, now) };
      };
      await lookup('dev-2'); // fills the cache of this client
      const warm = await lookup('dev-2');
      expect(queries).toHaveLength(1);
      // Another process renames a segment (a definitions row written without this process's repository).
      const viewers = (await segments.list('segment')).find((s) => s.name === 'Cart viewers')!;
      const [row] = await db.query<Record<string, unknown>>('SELECT * FROM segment_definitions WHERE id = {id:String} ORDER BY revision DESC LIMIT 1', { id: viewers.id });
      await db.store.client.insert({ table: 'segment_definitions', values: [{ ...row, name: 'Basket viewers', revision: String(Number(row!.revision) + 1) }], format: 'JSONEachRow' });
      expect((await lookup('dev-2')).profile.segments.map((s) => s.name)).toEqual(warm.profile.segments.map((s) => s.name));
      vi.setSystemTime(Date.now() + CATALOG_MAX_AGE_MS);
      expect((await lookup('dev-2')).profile.segments.map((s) => s.name)).toEqual(['Any viewer', 'Basket viewers']);
      expect(queries.filter(isCatalogRead)).toHaveLength(1);
      // A snapshot row that recorded older segment versions than the cached catalog expects (as when
      // another process wrote a snapshot since): the lookup reads the person's changes in a second query.
      await db.store.client.command({
        query: 'ALTER TABLE person_profiles UPDATE segment_versions = map() WHERE person_id = {pid:UInt64} SETTINGS mutations_sync = 2',
        query_params: { pid: warm.person.personId },
      });
      const stale = await lookup('dev-2');
      expect(queries).toHaveLength(2);
      expect(queries[1]).toContain('segment_membership_changes');
      expect(stale.person.snapshot?.changedSegments.size).toBeGreaterThan(0);
      expect(stale.profile).toEqual((await bothWays('dev-2')).tables);
    } finally {
      vi.useRealTimers();
    }
  });

  it('forgets a deleted person at once, on every identifier, and a refresh does not bring it back', async () => {
    const person = (await findPerson(db.store.client, 'u-3', 'US', { useSnapshot: false }))!;
    await deletePerson(db.store.client, person);
    const rows = await db.query<{ n: string }>('SELECT count() AS n FROM person_profiles WHERE person_id = {pid:UInt64}', { pid: person.personId });
    expect(Number(rows[0]!.n)).toBe(0);
    for (const id of ['u-3', 'dev-3', 'three@example.com']) expect(await findPerson(db.store.client, id), id).toBeUndefined();
    await refreshEngine(db.store.client, db.store, {}, now);
    for (const id of ['u-3', 'dev-3', 'three@example.com']) expect(await findPerson(db.store.client, id), id).toBeUndefined();
    // An identifier merged into a person after the snapshot (identity map resolved, snapshot not yet
    // rewritten, as in the middle of an engine refresh): deleting the person removes its old row too.
    await db.insertEvents([{ anonymous_id: 'dev-2', user_id: 'u-2', type: 'identify', timestamp: '2024-05-31 11:00:00' }]);
    await extractIdentityEdges(db.store.client, db.store, 'US');
    await resolveIdentities(db.store.client, db.store, DEFAULT_IDENTITY_RULES);
    expect((await findPerson(db.store.client, 'dev-2'))?.identifiers).toEqual(['a:dev-2']); // still the snapshot's
    const merged = (await findPerson(db.store.client, 'u-2', 'US', { useSnapshot: false }))!;
    expect(merged.identifiers).toEqual(['a:dev-2', 'u:u-2']);
    await deletePerson(db.store.client, merged);
    for (const id of ['dev-2', 'u-2']) expect(await findPerson(db.store.client, id), id).toBeUndefined();
    // The snapshot is current again after the refresh (dev-9 included), the others untouched.
    expect((await findPerson(db.store.client, 'dev-9'))?.snapshot).toBeDefined();
    expect((await bothWays('u-1')).snapshot.identities).toHaveLength(4);
  });
});
