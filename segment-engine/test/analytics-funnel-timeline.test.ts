import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelDefinitionInput } from '@sextant/schemas';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { buildFunnelQuery, funnelStepsSql, funnelTrendSql } from '../src/analytics/funnel-query.js';
import { runFunnel } from '../src/analytics/run-funnel.js';
import { currentPersonTimeline, type PersonTimeline } from '../src/analytics/refresh-person-timeline.js';
import { findPerson } from '../src/profiles/find-person.js';
import { deletePerson } from '../src/privacy/delete-person.js';
import { startEngineStore, type EngineStore, type TestEvent } from './fixtures/engine-store.js';

/**
 * The person event timeline (migration 0033): funnels read it plus the events stored after it, and must
 * answer exactly as a read of `events` alone, also for events of a shopper who logged in before the
 * refresh (anonymous id moved to the userId's person) and stored after it.
 *
 * Worked out by hand for the first check (window 1 day, step 1 in [06-01, 06-10), as of 06-20):
 * - P (anon p-1, identify as paula): landing page 06-01 09:55 (facebook), view 10:00, add 10:10 (as paula),
 *   checkout 10:20, order 10:30 → converted, channel facebook_ads.
 * - Q (anon q-1): landing 06-02 08:00 (direct), view 08:05, add 08:15 → stops at 2.
 * - R (anon r-1): view 06-03 12:00 with gclid (its own campaign data: google_ads) → stops at 1.
 * - S (anon s-1): order 06-04 only → not in the funnel.
 * - U (anon u-1): landing 05-28 (facebook, older than the day of look-back before `from`), untagged view
 *   06-02 → stops at 1, channel direct (its own).
 * - W (anon w-1): landings 06-03 08:00 (gclid) and 12:00 (email), view 13:00 → stops at 1, channel email.
 * - V (anon v-1): a landing 06-07 09:00 (ttclid) only → not in the funnel yet.
 * Counts 5, 2, 1, 1. The timeline credits an entry with the touch written on its row (`last_touch`); the
 * events stored later (below) check the other cases: an entry among newer events whose touch is in the
 * timeline (V), and a late event that becomes the entry before the timeline's touches (W: google).
 */
const AS_OF = new Date('2024-06-20T00:00:00Z');
const FUNNEL: FunnelDefinitionInput = {
  steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Checkout Started' }, { event: 'Order Completed' }],
  window_seconds: 86_400,
  from: '2024-06-01',
  to: '2024-06-10',
};
const landing = (anonymous_id: string, timestamp: string, extra: Partial<TestEvent> = {}): TestEvent => ({
  anonymous_id, type: 'page', timestamp, context: { sessionStart: true }, page_url: 'https://shop.test/', ...extra,
});

let db: EngineStore;
const client = () => db.store.client;

/** The funnel's per-step rows through `events` alone and through `timeline`, as JSON text. */
async function bothWays(def: FunnelDefinitionInput, timeline: PersonTimeline, sql = funnelStepsSql): Promise<[string, string]> {
  const run = async (t?: PersonTimeline) => {
    const built = buildFunnelQuery(def, { asOf: AS_OF, timeline: t });
    expect(built.source).toBe(t ? 'timeline' : 'events');
    const rs = await client().query({ query: sql(built), query_params: built.params, format: 'JSONEachRow' });
    return JSON.stringify(await rs.json());
  };
  return [await run(undefined), await run(timeline)];
}

const DEFINITIONS: FunnelDefinitionInput[] = [
  FUNNEL,
  { ...FUNNEL, breakdown: { channel: true } },
  { ...FUNNEL, breakdown: { column: 'device_type' } },
  { ...FUNNEL, breakdown: { trait: 'first_touch_campaign' } },
  { ...FUNNEL, mode: 'strict_order' },
  { ...FUNNEL, steps: [{ event: 'Product Viewed', where: [{ column: 'type', op: 'eq', value: 'track' }] }, { event: 'Product Added' }] },
];

beforeAll(async () => {
  db = await startEngineStore();
  await db.insertEvents([
    landing('p-1', '2024-06-01T09:55:00Z', { utm_source: 'facebook', utm_medium: 'paid', fbclid: 'fb-1' }),
    { anonymous_id: 'p-1', event: 'Product Viewed', timestamp: '2024-06-01T10:00:00Z' },
    { anonymous_id: 'p-1', user_id: 'paula', type: 'identify', timestamp: '2024-06-01T10:05:00Z' },
    { user_id: 'paula', event: 'Product Added', timestamp: '2024-06-01T10:10:00Z' },
    { user_id: 'paula', event: 'Checkout Started', timestamp: '2024-06-01T10:20:00Z' },
    { user_id: 'paula', event: 'Order Completed', timestamp: '2024-06-01T10:30:00Z', revenue: 40, currency: 'USD' },
    landing('q-1', '2024-06-02T08:00:00Z'),
    { anonymous_id: 'q-1', event: 'Product Viewed', timestamp: '2024-06-02T08:05:00Z' },
    { anonymous_id: 'q-1', event: 'Product Added', timestamp: '2024-06-02T08:15:00Z' },
    { anonymous_id: 'r-1', event: 'Product Viewed', timestamp: '2024-06-03T12:00:00Z', gclid: 'g-1' },
    { anonymous_id: 's-1', event: 'Order Completed', timestamp: '2024-06-04T12:00:00Z' },
    landing('u-1', '2024-05-28T10:00:00Z', { utm_source: 'facebook', utm_medium: 'paid' }),
    { anonymous_id: 'u-1', event: 'Product Viewed', timestamp: '2024-06-02T10:00:00Z' },
    landing('w-1', '2024-06-03T08:00:00Z', { gclid: 'g-2' }),
    landing('w-1', '2024-06-03T12:00:00Z', { utm_source: 'newsletter', utm_medium: 'email' }),
    { anonymous_id: 'w-1', event: 'Product Viewed', timestamp: '2024-06-03T13:00:00Z' },
    landing('v-1', '2024-06-07T09:00:00Z', { ttclid: 'tt-2' }),
  ]);
});
afterAll(async () => db?.stop());

describe('person event timeline', () => {
  it('does not exist before the first engine refresh: funnels read events', async () => {
    expect(await currentPersonTimeline(client())).toBeUndefined();
    const r = await runFunnel(client(), FUNNEL, { asOf: AS_OF });
    expect(r.source).toBe('events');
    // No identity resolved yet: p-1's view and paula's add, checkout and order are two persons.
    expect(r.total.steps.map((s) => s.count)).toEqual([5, 1, 0, 0]);
  });

  it('is written by the refresh with the events so far, joined to their persons', async () => {
    const refresh = await refreshEngine(client(), db.store, {}, AS_OF);
    // 10 track events and 6 landing pages; the identify (no event name, not a page) is left out.
    expect(refresh.timeline.rows).toBe(16);
    const timeline = (await currentPersonTimeline(client()))!;
    expect(timeline.version).toBe(refresh.timeline.version);
    const persons = await db.query<{ n: string }>(
      `SELECT uniqExact(person_id) AS n FROM person_event_timeline WHERE version = {v:UInt64} AND key_hash IN (cityHash64('a:p-1'), cityHash64('u:paula'))`,
      { v: timeline.version },
    );
    expect(Number(persons[0]!.n)).toBe(1); // p-1's view and paula's events: one person
    // p-1 belongs to paula's person: the timeline's key map says so (the newer events are joined with it).
    const moved = await db.query<{ p: string; paula: string }>(
      `SELECT toString(person_id) AS p, toString(cityHash64('u:paula')) AS paula FROM person_event_timeline_keys WHERE version = {v:UInt64} AND key_hash = cityHash64('a:p-1')`,
      { v: timeline.version },
    );
    expect(moved).toHaveLength(1);
    expect(moved[0]!.p).toBe(moved[0]!.paula);
    const r = await runFunnel(client(), { ...FUNNEL, breakdown: { channel: true } }, { asOf: AS_OF });
    expect(r.source).toBe('timeline');
    expect(r.total.steps.map((s) => s.count)).toEqual([5, 2, 1, 1]);
    expect(Object.fromEntries(r.breakdown.map((g) => [g.value, g.entered]))).toEqual({ facebook_ads: 1, direct: 2, google_ads: 1, email: 1 });
  });

  it('answers like events alone, also with events stored after it (a logged-in shopper\'s anonymous id, a new shopper)', async () => {
    const timeline = (await currentPersonTimeline(client()))!;
    expect(timeline.newerParts).toEqual([]);
    for (const def of DEFINITIONS) {
      const [events, viaTimeline] = await bothWays(def, timeline);
      expect(viaTimeline).toBe(events);
    }
    await db.insertEvents([
      // Q comes back: checkout and order within the window of its 06-02 view → Q converts.
      { anonymous_id: 'q-1', event: 'Checkout Started', timestamp: '2024-06-02T09:00:00Z' },
      { anonymous_id: 'q-1', event: 'Order Completed', timestamp: '2024-06-02T09:10:00Z' },
      // P browses again on the anonymous id that resolved to paula before the refresh: same person.
      landing('p-1', '2024-06-05T10:00:00Z', { utm_source: 'newsletter', utm_medium: 'email' }),
      { anonymous_id: 'p-1', event: 'Product Viewed', timestamp: '2024-06-05T10:01:00Z' },
      // T is new: a landing page from TikTok and a view.
      landing('t-1', '2024-06-06T07:00:00Z', { ttclid: 'tt-1' }),
      { anonymous_id: 't-1', event: 'Product Viewed', timestamp: '2024-06-06T07:02:00Z' },
      // V views after its landing page, which is in the timeline: tiktok.
      { anonymous_id: 'v-1', event: 'Product Viewed', timestamp: '2024-06-07T09:05:00Z' },
      // A late event of W: its entry is now 09:00, after the gclid landing and before the email one.
      { anonymous_id: 'w-1', event: 'Product Viewed', timestamp: '2024-06-03T09:00:00Z' },
    ]);
    const r = await runFunnel(client(), { ...FUNNEL, breakdown: { channel: true } }, { asOf: AS_OF });
    expect(r.source).toBe('timeline');
    // P (not twice), Q, R, U, W, T, V entered; P and Q converted.
    expect(r.total.steps.map((s) => s.count)).toEqual([7, 2, 2, 2]);
    expect(Object.fromEntries(r.breakdown.map((g) => [g.value, g.entered]))).toEqual({ facebook_ads: 1, direct: 2, google_ads: 2, tiktok_ads: 2 });
    // Looked up again: the events since are read from the parts that hold them now.
    const now = (await currentPersonTimeline(client()))!;
    expect(now.version).toBe(timeline.version);
    expect(now.newerParts.length).toBeGreaterThan(0);
    for (const def of DEFINITIONS) {
      const [events, viaTimeline] = await bothWays(def, now);
      expect(viaTimeline).toBe(events);
    }
    const [trendEvents, trendTimeline] = await bothWays({ ...FUNNEL, trend: 'day' }, now, funnelTrendSql);
    expect(trendTimeline).toBe(trendEvents);
  });

  it('keeps the current and the previous version only, and a refresh takes the newer events in', async () => {
    const before = (await currentPersonTimeline(client()))!;
    await refreshEngine(client(), db.store, {}, AS_OF);
    const second = await refreshEngine(client(), db.store, {}, AS_OF);
    expect(second.timeline.rows).toBe(24);
    const versions = await db.query<{ v: string }>('SELECT DISTINCT toString(version) AS v FROM person_event_timeline ORDER BY v');
    expect(versions.map((r) => Number(r.v))).not.toContain(before.version);
    expect(versions).toHaveLength(2);
    const keyVersions = await db.query<{ v: string }>('SELECT DISTINCT toString(version) AS v FROM person_event_timeline_keys');
    expect(keyVersions.map((r) => r.v).sort()).toEqual(versions.map((r) => r.v).sort());
    const after = (await currentPersonTimeline(client()))!;
    expect(after.watermark).toBeGreaterThan(before.watermark);
  });

  it('loses a deleted person\'s rows at once, and funnels stop counting them', async () => {
    const person = (await findPerson(client(), 't-1', 'US', { useSnapshot: false }))!;
    await deletePerson(client(), person);
    const left = await db.query<{ n: string }>(`SELECT count() AS n FROM person_event_timeline WHERE key_hash = cityHash64('a:t-1')`);
    expect(Number(left[0]!.n)).toBe(0);
    const r = await runFunnel(client(), FUNNEL, { asOf: AS_OF });
    expect(r.source).toBe('timeline');
    expect(r.total.steps.map((s) => s.count)).toEqual([6, 2, 2, 2]);
  });
});
