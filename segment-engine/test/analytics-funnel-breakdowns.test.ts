import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { buildFunnelQuery } from '../src/analytics/funnel-query.js';
import { runFunnel } from '../src/analytics/run-funnel.js';
import { compileSegment, matchingPersonsSql } from '../src/dsl/compile-segment.js';
import type { FunnelDefinitionInput } from '@sextant/schemas';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

/**
 * Funnel View → Order, window 1 day, step 1 in [05-01, 05-10), as of 05-20 (every window closed).
 * Country comes only from identify traits or `context.location` (as with the storefront simulator),
 * never from the funnel's own events. Worked out by hand:
 * - P1 anon a-1 (mobile) views 05-01 10:00, identifies as u1 with `country: ' us '` (trimmed, upper-cased
 *      → US), orders as u1 → US, mobile, converted.
 * - P2 u2 identifies with `address.country: DE`, views 05-02 (desktop), no order → DE, desktop, dropped.
 * - P3 u3 identified `country: FR` on 04-20, then `address.country: DE` on 05-03 08:00 (latest wins);
 *      views 05-03 10:00 (mobile), orders 12:00 → DE, mobile, converted.
 * - P4 anon a-4 views 05-04 (tablet) with `context.location.country: GB` → GB, tablet, dropped.
 * - P5 u5 identifies `country: NL` 05-05 08:00, then `country: ''` 05-06 (empty: ignored → NL); views
 *      05-05 09:00 on desktop and 09:30 on mobile (entry = first view: desktop), orders 10:00 → converted.
 * - P6 anon a-6 views 05-06, no country, no device → (none) in both breakdowns, dropped.
 * - P7 u7 (`country: SE`) views 04-28 only: before the range, not in the funnel.
 * Country rows (entered, converted): US 1/1, DE 2/1, GB 1/0, NL 1/1, (none) 1/0 → total 6/3.
 * Device rows: mobile 2/2 (P1, P3), desktop 2/1 (P2, P5), tablet 1/0, (none) 1/0 → total 6/3.
 */
const AS_OF = new Date('2024-05-20T00:00:00Z');
const FUNNEL: FunnelDefinitionInput = {
  steps: [{ event: 'Product Viewed' }, { event: 'Order Completed' }],
  window_seconds: 86_400,
  from: '2024-05-01',
  to: '2024-05-10',
};
let db: EngineStore;

beforeAll(async () => {
  db = await startEngineStore();
  const view = { event: 'Product Viewed', properties: { product_id: 'p1' } };
  const order = { event: 'Order Completed', revenue: 10, currency: 'USD' };
  await db.insertEvents([
    { anonymous_id: 'a-1', ...view, device_type: 'mobile', timestamp: '2024-05-01 10:00:00' },
    { anonymous_id: 'a-1', user_id: 'u1', type: 'identify', timestamp: '2024-05-01 10:05:00', traits: { email: 'u1@example.com', country: ' us ' } },
    { user_id: 'u1', ...order, timestamp: '2024-05-01 10:10:00' },
    { user_id: 'u2', type: 'identify', timestamp: '2024-05-02 09:00:00', traits: { address: { city: 'Berlin', country: 'DE' } } },
    { user_id: 'u2', ...view, device_type: 'desktop', timestamp: '2024-05-02 10:00:00' },
    { user_id: 'u3', type: 'identify', timestamp: '2024-04-20 09:00:00', traits: { country: 'FR' } },
    { user_id: 'u3', type: 'identify', timestamp: '2024-05-03 08:00:00', traits: { address: { country: 'DE' } } },
    { user_id: 'u3', ...view, device_type: 'mobile', timestamp: '2024-05-03 10:00:00' },
    { user_id: 'u3', ...order, timestamp: '2024-05-03 12:00:00' },
    { anonymous_id: 'a-4', ...view, device_type: 'tablet', timestamp: '2024-05-04 10:00:00', context: { location: { country: 'GB', city: 'Leeds' } } },
    { user_id: 'u5', type: 'identify', timestamp: '2024-05-05 08:00:00', traits: { country: 'NL' } },
    { user_id: 'u5', ...view, device_type: 'desktop', timestamp: '2024-05-05 09:00:00' },
    { user_id: 'u5', ...view, device_type: 'mobile', timestamp: '2024-05-05 09:30:00' },
    { user_id: 'u5', ...order, timestamp: '2024-05-05 10:00:00' },
    { user_id: 'u5', type: 'identify', timestamp: '2024-05-06 08:00:00', traits: { country: '' } },
    { anonymous_id: 'a-6', ...view, timestamp: '2024-05-06 10:00:00' },
    { user_id: 'u7', type: 'identify', timestamp: '2024-04-28 09:00:00', traits: { country: 'SE' } },
    { user_id: 'u7', ...view, timestamp: '2024-04-28 10:00:00' },
  ]);
  await refreshEngine(db.store.client, db.store, {}, AS_OF);
});
afterAll(async () => db?.stop());

const rowsOf = (r: Awaited<ReturnType<typeof runFunnel>>) => Object.fromEntries(r.breakdown.map((g) => [g.value, [g.entered, g.converted]]));
const expectRowsAddUp = (r: Awaited<ReturnType<typeof runFunnel>>) => {
  for (let k = 0; k < 2; k++) expect(r.breakdown.reduce((a, g) => a + g.steps[k]!.count, 0)).toBe(r.total.steps[k]!.count);
};

describe('person trait country', () => {
  it('is the latest non-empty country of identify traits (country, address.country) or context.location', async () => {
    const rows = await db.query<{ user: string; country: string }>(
      `SELECT k AS user, t.country AS country FROM (SELECT arrayJoin(['u:u1', 'u:u2', 'u:u3', 'a:a-4', 'u:u5', 'a:a-6', 'u:u7']) AS k) AS i
       LEFT JOIN (SELECT identifier, person_id FROM identity_map WHERE version = (SELECT max(version) FROM engine_runs WHERE kind = 'identity')) AS m ON m.identifier = i.k
       INNER JOIN (SELECT person_id, country FROM person_traits WHERE version = (SELECT max(version) FROM engine_runs WHERE kind = 'traits')) AS t
         ON t.person_id = if(m.person_id != 0, m.person_id, cityHash64(i.k))
       ORDER BY user`);
    expect(Object.fromEntries(rows.map((r) => [r.user, r.country]))).toEqual({
      'u:u1': 'US', 'u:u2': 'DE', 'u:u3': 'DE', 'a:a-4': 'GB', 'u:u5': 'NL', 'a:a-6': '', 'u:u7': 'SE',
    });
  });
});

describe('funnel breakdowns', () => {
  it('by the country trait: rows from identify traits, (none) for persons without one, adding up to the total', async () => {
    const r = await runFunnel(db.store.client, { ...FUNNEL, breakdown: { trait: 'country' } }, { asOf: AS_OF });
    expect(r.total).toMatchObject({ entered: 6, converted: 3 });
    expect(rowsOf(r)).toEqual({ US: [1, 1], DE: [2, 1], GB: [1, 0], NL: [1, 1], '(none)': [1, 0] });
    expectRowsAddUp(r);
  });

  it('by the device_type column of the entry event (the first step-1 event in range)', async () => {
    const r = await runFunnel(db.store.client, { ...FUNNEL, breakdown: { column: 'device_type' } }, { asOf: AS_OF });
    expect(rowsOf(r)).toEqual({ mobile: [2, 2], desktop: [2, 1], tablet: [1, 0], '(none)': [1, 0] });
    expect(r.breakdown.find((g) => g.value === 'desktop')!.conversionRate).toBe(0.5);
    expectRowsAddUp(r);
  });

  it('gives the same country and device rows from events as from the person timeline', async () => {
    for (const breakdown of [{ trait: 'country' }, { column: 'device_type' }] as const) {
      const built = buildFunnelQuery({ ...FUNNEL, breakdown }, { asOf: AS_OF });
      expect(built.source).toBe('events');
      const rows = await db.query<{ bval: string; n: string }>(`SELECT bval, toString(count()) AS n FROM (${built.personsSql}) GROUP BY bval ORDER BY bval`, built.params);
      const run = await runFunnel(db.store.client, { ...FUNNEL, breakdown }, { asOf: AS_OF });
      expect(run.source).toBe('timeline');
      const fromRun = rowsOf(run);
      expect(Object.fromEntries(rows.map((x) => [x.bval, Number(x.n)])), JSON.stringify(breakdown)).toEqual(Object.fromEntries(Object.entries(fromRun).map(([k, v]) => [k, v[0]])));
    }
  });

  it('is a computed trait segments can use: country DE is P2 and P3', async () => {
    const compiled = compileSegment({ type: 'computed', trait: 'country', op: 'eq', value: 'DE' }, { now: AS_OF });
    const rows = await db.query<{ id: string }>(`SELECT toString(person_id) AS id FROM (${matchingPersonsSql(compiled)}) ORDER BY id`, compiled.params);
    const expected = await db.query<{ id: string }>(`SELECT toString(cityHash64(k)) AS id FROM (SELECT arrayJoin(['u:u2', 'u:u3']) AS k) ORDER BY id`);
    expect(rows).toEqual(expected);
  });
});
