import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractIdentityEdges } from '../src/identity/extract-identity-edges.js';
import { resolveIdentities } from '../src/identity/resolve-identities.js';
import { DEFAULT_IDENTITY_RULES } from '../src/identity/union-find.js';
import { personEventsSql } from '../src/sql/person-sql.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

let db: EngineStore;
beforeAll(async () => {
  db = await startEngineStore();
});
afterAll(async () => db?.stop());

async function resolve() {
  await extractIdentityEdges(db.store.client, db.store, 'US');
  return resolveIdentities(db.store.client, db.store, DEFAULT_IDENTITY_RULES);
}

/** Person id of every key (`u:..`/`a:..`) that has events, and the groups of keys per person. */
async function groups(): Promise<string[][]> {
  const rows = await db.query<{ keys: string[] }>(
    `SELECT arraySort(groupUniqArray(k)) AS keys FROM (SELECT person_id, if(user_id != '', concat('u:', user_id), concat('a:', anonymous_id)) AS k
      FROM (${personEventsSql(['user_id', 'anonymous_id'], '1')})) GROUP BY person_id ORDER BY keys`,
  );
  return rows.map((r) => r.keys);
}

/** The canonical identifier of the person an identifier belongs to (itself when it has no edge). */
async function canonicalOf(identifier: string): Promise<string> {
  const rows = await db.query<{ canonical: string }>(
    `SELECT canonical FROM identity_map WHERE version = (SELECT max(version) FROM engine_runs WHERE kind = 'identity') AND identifier = {id:String}`,
    { id: identifier },
  );
  return rows[0]?.canonical ?? identifier;
}

describe('identity resolution (known answers)', () => {
  it('login after anonymous browsing: one person, and the anonymous events belong to it', async () => {
    await db.insertEvents([
      { anonymous_id: 'anon-1', event: 'Product Viewed', timestamp: '2024-05-01 10:00:00' },
      { anonymous_id: 'anon-1', event: 'Product Added', timestamp: '2024-05-01 10:01:00' },
      { anonymous_id: 'anon-1', user_id: 'alice', type: 'identify', timestamp: '2024-05-01 10:02:00', traits: { email: 'Alice@Example.com' } },
      { user_id: 'alice', event: 'Order Completed', timestamp: '2024-05-01 10:03:00' },
    ]);
    await resolve();
    expect(await groups()).toEqual([['a:anon-1', 'u:alice']]);
  });

  it('two devices joined by email (and a phone in another notation) are one person', async () => {
    await db.insertEvents([
      { anonymous_id: 'phone-dev', type: 'identify', timestamp: '2024-05-02 09:00:00', traits: { email: 'bob@shop.io', phone: '+49 151 23456789' } },
      { anonymous_id: 'laptop-dev', type: 'identify', timestamp: '2024-05-02 11:00:00', traits: { email: ' BOB@shop.io ' } },
      { anonymous_id: 'tablet-dev', type: 'identify', timestamp: '2024-05-02 12:00:00', traits: { phone: '0151 23456789', country: 'DE' } },
      { anonymous_id: 'laptop-dev', event: 'Product Viewed', timestamp: '2024-05-02 11:05:00' },
    ]);
    await resolve();
    const map = await db.query<{ identifier: string; canonical: string }>(
      `SELECT identifier, canonical FROM identity_map WHERE version = (SELECT max(version) FROM engine_runs WHERE kind = 'identity') AND canonical = 'e:bob@shop.io' ORDER BY identifier`,
    );
    expect(map.map((r) => r.identifier)).toEqual(['a:laptop-dev', 'a:phone-dev', 'a:tablet-dev', 'e:bob@shop.io', 'p:+4915123456789']);
  });

  it('conflicting userIds on one shared device are not merged', async () => {
    await db.insertEvents([
      { anonymous_id: 'kiosk', user_id: 'carol', type: 'identify', timestamp: '2024-05-03 08:00:00' },
      { anonymous_id: 'kiosk', user_id: 'dave', type: 'identify', timestamp: '2024-05-03 09:00:00' },
      { user_id: 'dave', event: 'Order Completed', timestamp: '2024-05-03 09:10:00' },
      { user_id: 'carol', event: 'Order Completed', timestamp: '2024-05-03 08:10:00' },
    ]);
    const run = await resolve();
    expect(run.refused).toBeGreaterThanOrEqual(1);
    expect(await canonicalOf('a:kiosk')).toBe('u:carol');
    expect(await canonicalOf('u:dave')).toBe('u:dave');
    expect(await groups()).toContainEqual(['u:dave']);
  });

  it('a late alias joins history already resolved as two persons', async () => {
    await db.insertEvents([
      { anonymous_id: 'old-cookie', event: 'Product Viewed', timestamp: '2024-05-04 08:00:00' },
      { user_id: 'erin', event: 'Order Completed', timestamp: '2024-05-04 09:00:00' },
    ]);
    await resolve();
    expect(await groups()).toContainEqual(['a:old-cookie']);
    // The alias arrives days later, stamped with the time it happened.
    await db.insertEvents([{ type: 'alias', user_id: 'erin', previous_id: 'old-cookie', timestamp: '2024-05-04 08:30:00', received_at: '2024-05-09 00:00:00' }]);
    await resolve();
    expect(await groups()).toContainEqual(['a:old-cookie', 'u:erin']);
  });

  it('out-of-order arrival gives the same answer as in-order: the earliest link wins the shared device', async () => {
    // frank used the device first (09:00) but his identify arrives after gina's (10:00).
    await db.insertEvents([{ anonymous_id: 'shared-tab', user_id: 'gina', type: 'identify', timestamp: '2024-05-05 10:00:00', received_at: '2024-05-10 10:00:01' }]);
    await resolve();
    expect(await canonicalOf('a:shared-tab')).toBe('u:gina');
    await db.insertEvents([{ anonymous_id: 'shared-tab', user_id: 'frank', type: 'identify', timestamp: '2024-05-05 09:00:00', received_at: '2024-05-10 10:30:00' }]);
    await resolve();
    expect(await canonicalOf('a:shared-tab')).toBe('u:frank');
    expect(await canonicalOf('u:gina')).toBe('u:gina');
  });

  it('person ids are deterministic: cityHash64 of the canonical identifier', async () => {
    const rows = await db.query<{ person_id: string; expected: string }>(
      `SELECT DISTINCT toString(person_id) AS person_id, toString(cityHash64('u:alice')) AS expected FROM (${personEventsSql([], "user_id = 'alice' OR anonymous_id = 'anon-1'")})`,
    );
    expect(rows).toEqual([{ person_id: rows[0]!.expected, expected: rows[0]!.expected }]);
  });
});
