import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventParams, eventsOfIdentifiersSql, findPerson } from '../src/profiles/find-person.js';
import { loadProfile } from '../src/profiles/load-profile.js';
import { deletePerson } from '../src/privacy/delete-person.js';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { SegmentRepository } from '../src/segments/segment-repository.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

// Profile lookups read events through the `by_identifier` projection (migrations 0013, 0034). A lightweight
// delete leaves a projection that still shows the deleted rows, so these tests check that a deleted
// person's events stay invisible on every path, also after the projection has been rebuilt.

let db: EngineStore;
const now = new Date('2024-06-01T00:00:00Z');

beforeAll(async () => {
  db = await startEngineStore();
  await db.insertEvents([
    { anonymous_id: 'dev-1', event: 'Product Viewed', timestamp: '2024-05-20 10:00:00', properties: { category: 'Footwear' } },
    { anonymous_id: 'dev-1', user_id: 'u-1', type: 'identify', timestamp: '2024-05-20 10:01:00', traits: { email: 'one@example.com' } },
    { user_id: 'u-1', event: 'Order Completed', timestamp: '2024-05-20 10:02:00', revenue: 40, currency: 'USD' },
    { anonymous_id: 'dev-2', event: 'Product Viewed', timestamp: '2024-05-25 09:00:00' },
    { anonymous_id: 'dev-2', event: 'Cart Viewed', timestamp: '2024-05-25 09:05:00' },
    { anonymous_id: 'dev-3', event: 'Product Viewed', timestamp: '2024-05-26 09:00:00' },
  ]);
  const segments = new SegmentRepository(db.store.client);
  await segments.create('segment', { name: 'Buyers', description: '', definition: { type: 'event', event: 'Order Completed' } });
  await refreshEngine(db.store.client, db.store, {}, now);
});
afterAll(async () => db?.stop());

async function waitForMutations(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [row] = await db.query<{ n: string }>('SELECT count() AS n FROM system.mutations WHERE is_done = 0');
    if (Number(row!.n) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('mutations did not finish');
}

describe('profile lookup', () => {
  it("reads a person's events by key hash from the by_identifier projection, exactly its identifiers' events", async () => {
    const sql = `SELECT type, if(event != '', event, type) AS e FROM events WHERE ${eventsOfIdentifiersSql()} ORDER BY timestamp`;
    // (A table this small is read as cheaply without the projection, so the plan is that of a read of
    // the projection itself: does its key serve the condition.)
    const projection = sql.replace('FROM events', 'FROM mergeTreeProjection(currentDatabase(), events, by_identifier)');
    const plan = (await db.query<{ explain: string }>(`EXPLAIN indexes = 1 ${projection}`, eventParams(['u:u-1', 'a:dev-1']))).map((r) => r.explain).join('\n');
    expect(plan).toMatch(/Keys:\s+key_hash\s+Condition: \(key_hash in 2-element set\)/);
    // dev-1's events without a userId and u-1's (dev-1's identify has a userId: it is u-1's event).
    expect((await db.query<{ e: string }>(sql, eventParams(['u:u-1', 'a:dev-1']))).map((r) => r.e)).toEqual(['Product Viewed', 'identify', 'Order Completed']);
    expect((await db.query<{ e: string }>(sql, eventParams(['a:dev-1']))).map((r) => r.e)).toEqual(['Product Viewed']);
    expect(await db.query(sql, eventParams(['e:one@example.com']))).toEqual([]); // only u: and a: keys name events
  });

  it('finds a multi-identifier person by each identifier, with traits, tags, segments and recent events in one answer', async () => {
    for (const id of ['u-1', 'dev-1', 'one@example.com']) {
      const person = await findPerson(db.store.client, id);
      expect(person?.identifiers).toEqual(['a:dev-1', 'e:one@example.com', 'u:u-1']);
    }
    const profile = await loadProfile(db.store.client, (await findPerson(db.store.client, 'u-1'))!, 20, now);
    expect(profile.computedTraits).toMatchObject({ orders_count: 1, lifetime_revenue: 40 });
    expect(profile.tags).toContain('lifecycle:new');
    expect(profile.segments).toEqual([{ id: expect.any(String), name: 'Buyers', since: expect.stringMatching(/^2024-06-01 00:00:00/) }]);
    expect(profile.recentEvents.map((e) => [e.type, e.event])).toEqual([['track', 'Order Completed'], ['identify', ''], ['track', 'Product Viewed']]);
    expect(profile.recentEvents[2]!.properties).toEqual({ category: 'Footwear' });
  });

  it('finds a person without identity edges through their events, newest first, limited', async () => {
    const person = await findPerson(db.store.client, 'dev-2');
    expect(person?.identifiers).toEqual(['a:dev-2']);
    const profile = await loadProfile(db.store.client, person!, 1, now);
    expect(profile.recentEvents.map((e) => e.event)).toEqual(['Cart Viewed']);
    expect(profile.segments).toEqual([]);
    expect(await findPerson(db.store.client, 'nobody')).toBeUndefined();
  });

  it('never shows a deleted person again, also once the projection has been rebuilt in the background', async () => {
    const person = (await findPerson(db.store.client, 'dev-3'))!;
    await deletePerson(db.store.client, person);
    expect(await findPerson(db.store.client, 'dev-3')).toBeUndefined();
    await waitForMutations();
    const [parts] = await db.query<{ n: string }>(
      "SELECT count() AS n FROM system.projection_parts WHERE table = 'events' AND name = 'by_identifier' AND active",
    );
    expect(Number(parts!.n)).toBeGreaterThan(0);
    expect(await findPerson(db.store.client, 'dev-3')).toBeUndefined();
    const viaProjection = await db.query<{ n: string }>(`SELECT count() AS n FROM events WHERE ${eventsOfIdentifiersSql()}`, eventParams(['a:dev-3']));
    expect(Number(viaProjection[0]!.n)).toBe(0);
    // The others are untouched.
    expect((await loadProfile(db.store.client, (await findPerson(db.store.client, 'dev-2'))!, 20, now)).recentEvents).toHaveLength(2);
  });
});
