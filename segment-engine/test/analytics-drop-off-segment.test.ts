import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { FunnelDefinitionInput } from '@sextant/schemas';
import { analyticsRoutes } from '../src/routes/analytics-routes.js';
import { segmentEngineRoutes } from '../src/routes/segment-engine-routes.js';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { funnelDropOffs } from '../src/analytics/run-funnel.js';
import { findPerson } from '../src/profiles/find-person.js';
import { deletePerson } from '../src/privacy/delete-person.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

/**
 * "Dropped off at step k", saved as a segment, holds exactly the persons the funnel reports.
 * Funnel View → Add → Checkout → Order, strict order, window 2 hours, step 1 in [05-01, 05-10), as of
 * 05-09 12:00, breakdown by the view's `country`. Worked out by hand:
 * - S1 (US): view 05-02 10:00, add 10:05, order 10:10, checkout 10:15, order 10:20 → strict order stops at
 *   the first order (checkout not reached yet): dropped at 2 (the default mode would count it converted).
 * - S2 (DE): view 05-03 10:00, add 10:30 → dropped at 2.
 * - S3 (DE): view 05-03 10:00, add 13:00 (3 h: outside the window) → dropped at 1, not 2.
 * - S4 (DE): view 05-09 11:00, add 11:30 → at 2 but its window closes 13:00, after as-of: in progress.
 * - S5 (US): view, add, checkout, order within 30 min on 05-04 → converted.
 * - S6 (DE): view 05-05 10:00, add 10:20 → dropped at 2.
 * Drop-offs at step 2: S1, S2, S6; of them DE: S2, S6. S4 is in neither.
 */
const AS_OF = '2024-05-09T12:00:00Z';
const FUNNEL: FunnelDefinitionInput = {
  steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Checkout Started' }, { event: 'Order Completed' }],
  window_seconds: 7200,
  mode: 'strict_order',
  from: '2024-05-01',
  to: '2024-05-10',
};
const BY_COUNTRY: FunnelDefinitionInput = { ...FUNNEL, breakdown: { property: 'country' } };

let db: EngineStore;
let app: FastifyInstance;
const pid = async (person: string) => (await db.query<{ p: string }>(`SELECT toString(cityHash64({k:String})) AS p`, { k: `a:a-${person}` }))[0]!.p;
const pids = async (...persons: string[]) => (await Promise.all(persons.map(pid))).sort();
const post = (url: string, payload: object) => app.inject({ method: 'POST', url, payload });
const members = async (id: string) =>
  ((await app.inject({ method: 'GET', url: `/api/segments/${id}/members?limit=1000` })).json().members as { person_id: string }[]).map((m) => m.person_id).sort();

beforeAll(async () => {
  db = await startEngineStore();
  const at = (t: string, minutes = 0) => new Date(new Date(`${t}Z`).getTime() + minutes * 60_000).toISOString();
  const journey = (person: string, country: string, start: string, steps: [string, number][]) => [
    { anonymous_id: `a-${person}`, event: 'Product Viewed', timestamp: at(start), properties: { country } },
    ...steps.map(([event, minutes]) => ({ anonymous_id: `a-${person}`, event, timestamp: at(start, minutes) })),
  ];
  await db.insertEvents([
    ...journey('S1', 'US', '2024-05-02T10:00:00', [['Product Added', 5], ['Order Completed', 10], ['Checkout Started', 15], ['Order Completed', 20]]),
    ...journey('S2', 'DE', '2024-05-03T10:00:00', [['Product Added', 30]]),
    ...journey('S3', 'DE', '2024-05-03T10:00:00', [['Product Added', 180]]),
    ...journey('S4', 'DE', '2024-05-09T11:00:00', [['Product Added', 30]]),
    ...journey('S5', 'US', '2024-05-04T10:00:00', [['Product Added', 10], ['Checkout Started', 20], ['Order Completed', 30]]),
    ...journey('S6', 'DE', '2024-05-05T10:00:00', [['Product Added', 20]]),
  ]);
  await refreshEngine(db.store.client, db.store, {}, new Date(AS_OF));
  // Both plugins as the app mounts them, without the token check (another test covers roles).
  app = Fastify();
  await app.register(segmentEngineRoutes, { store: db.store, requireAuth: () => undefined, refreshIntervalMs: 0, timelineCatchUpMs: 0 });
  await app.register(analyticsRoutes, { store: db.store, requireAuth: () => undefined, secret: 'test', alertIntervalMs: 0 });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await db?.stop();
});

describe('drop-offs saved as a segment', () => {
  it('reports the hand-worked drop-offs (strict order, 2-hour window, in-progress persons excluded)', async () => {
    const asOf = new Date(AS_OF);
    expect((await funnelDropOffs(db.store.client, FUNNEL, 2, { asOf })).sort()).toEqual(await pids('S1', 'S2', 'S6'));
    expect((await funnelDropOffs(db.store.client, BY_COUNTRY, 2, { asOf, breakdownValue: 'DE' })).sort()).toEqual(await pids('S2', 'S6'));
    expect((await funnelDropOffs(db.store.client, { ...FUNNEL, mode: 'default' }, 2, { asOf })).sort()).toEqual(await pids('S2', 'S6'));
  });

  it('saves a strict-order funnel\'s drop-offs at step 2 as a snapshot whose members are the reported persons', async () => {
    const body = { funnel: FUNNEL, step: 2, as_of: AS_OF, name: 'Added, did not check out' };
    const saved = await post('/api/analytics/funnels/drop-offs/segment', body);
    expect(saved.statusCode).toBe(201);
    expect(saved.json()).toMatchObject({ name: 'Added, did not check out', members: 3, definition: { type: 'snapshot', source: 'funnel_drop_offs', step: 2, taken_at: '2024-05-09T12:00:00.000Z', funnel: { mode: 'strict_order', window_seconds: 7200 } } });
    const reported = await post('/api/analytics/funnels/drop-offs', { funnel: FUNNEL, step: 2, as_of: AS_OF });
    expect(reported.json().persons.sort()).toEqual(await pids('S1', 'S2', 'S6'));
    const ids = await members(saved.json().id);
    expect(ids).toEqual(reported.json().persons.sort());
    expect(ids).not.toContain(await pid('S4')); // still inside the window at as-of
    expect(ids).not.toContain(await pid('S3')); // its add came after the 2-hour window
  });

  it('saves the drop-offs of one breakdown value', async () => {
    const saved = await post('/api/analytics/funnels/drop-offs/segment', { funnel: BY_COUNTRY, step: 2, breakdown_value: 'DE', as_of: AS_OF });
    expect(saved.statusCode).toBe(201);
    expect(saved.json()).toMatchObject({ name: 'Dropped off at step 2 (DE)', members: 2, definition: { type: 'snapshot', breakdown_value: 'DE' } });
    expect(await members(saved.json().id)).toEqual(await pids('S2', 'S6'));
  });

  it('keeps the snapshot through refreshes, while the funnel answer moves on', async () => {
    const saved = (await post('/api/analytics/funnels/drop-offs/segment', { funnel: FUNNEL, step: 2, as_of: AS_OF })).json();
    // Later S4's window has closed and a new drop-off arrives: the report changes, the snapshot does not.
    await db.insertEvents([
      { anonymous_id: 'a-S7', event: 'Product Viewed', timestamp: '2024-05-06T10:00:00.000Z' },
      { anonymous_id: 'a-S7', event: 'Product Added', timestamp: '2024-05-06T10:10:00.000Z' },
    ]);
    const later = new Date('2024-05-20T00:00:00Z');
    await refreshEngine(db.store.client, db.store, {}, later);
    expect((await funnelDropOffs(db.store.client, FUNNEL, 2, { asOf: later })).sort()).toEqual(await pids('S1', 'S2', 'S4', 'S6', 'S7'));
    const refreshed = await app.inject({ method: 'POST', url: `/api/segments/${saved.id}/refresh` });
    expect(refreshed.json()).toMatchObject({ members: 3, entered: 0, left: 0 });
    expect(await members(saved.id)).toEqual(await pids('S1', 'S2', 'S6'));
    const listed = (await app.inject({ method: 'GET', url: '/api/segments' })).json().segments.find((s: { id: string }) => s.id === saved.id);
    expect(listed).toMatchObject({ members: 3, definition: { type: 'snapshot' } });
    // A member deleted (right to erasure) leaves the snapshot, and the list counts what is left.
    const person = (await findPerson(db.store.client, 'a-S2', 'US', { useSnapshot: false }))!;
    await deletePerson(db.store.client, person);
    expect(await members(saved.id)).toEqual(await pids('S1', 'S6'));
    const after = (await app.inject({ method: 'GET', url: '/api/segments' })).json().segments.find((s: { id: string }) => s.id === saved.id);
    expect(after).toMatchObject({ members: 2 });
  });

  it('rejects bad input with 400 INVALID_DEFINITION and the path', async () => {
    const issues = async (payload: object) => {
      const res = await post('/api/analytics/funnels/drop-offs/segment', payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('INVALID_DEFINITION');
      return res.json().error.details.issues.map((i: { path: string }) => i.path);
    };
    expect(await issues({ funnel: { ...FUNNEL, mode: 'sideways' }, step: 2 })).toEqual(['funnel.mode']);
    expect(await issues({ funnel: FUNNEL, step: 4 })).toEqual(['step']);
    expect(await issues({ funnel: FUNNEL, step: 2, breakdown_value: 'DE' })).toEqual(['breakdown_value']);
    expect(await issues({ funnel: FUNNEL, step: 2, as_of: 'yesterday' })).toEqual(['as_of']);
    expect(await issues({ funnel: FUNNEL, step: '2' })).toEqual(['step']);
  });
});
