import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { funnelTrendSql } from '../src/analytics/funnel-query.js';
import { runFunnel } from '../src/analytics/run-funnel.js';
import { currentPersonTimeline } from '../src/analytics/refresh-person-timeline.js';
import { findPerson } from '../src/profiles/find-person.js';
import { deletePerson } from '../src/privacy/delete-person.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';
import { AS_OF, DEFINITIONS, EVENTS_AFTER, EVENTS_BEFORE, expectTimelineAnswersLikeEvents, FUNNEL, funnelBothWays } from './fixtures/timeline-funnel-data.js';

/**
 * The person event timeline (migration 0033): funnels read it plus the events stored after it, and must
 * answer exactly as a read of `events` alone, also for events of a shopper who logged in before the
 * refresh (anonymous id moved to the userId's person) and stored after it. The data and the answers
 * worked out by hand: `fixtures/timeline-funnel-data.ts`.
 */
let db: EngineStore;
const client = () => db.store.client;

beforeAll(async () => {
  db = await startEngineStore();
  await db.insertEvents(EVENTS_BEFORE);
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
    // Each step's time is reported, in the order the steps ran, and they make up the whole.
    expect(Object.keys(refresh.stepsMs)).toEqual(['purge', 'edges', 'identity', 'timeline', 'traits', 'tags', 'segments', 'profiles']);
    const sum = Object.values(refresh.stepsMs).reduce((a, b) => a + b, 0);
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThanOrEqual(refresh.durationMs);
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
    await expectTimelineAnswersLikeEvents(client(), timeline);
    await db.insertEvents(EVENTS_AFTER);
    const r = await runFunnel(client(), { ...FUNNEL, breakdown: { channel: true } }, { asOf: AS_OF });
    expect(r.source).toBe('timeline');
    // P (not twice), Q, R, U, W, T, V entered; P and Q converted.
    expect(r.total.steps.map((s) => s.count)).toEqual([7, 2, 2, 2]);
    expect(Object.fromEntries(r.breakdown.map((g) => [g.value, g.entered]))).toEqual({ facebook_ads: 1, direct: 2, google_ads: 2, tiktok_ads: 2 });
    // Looked up again: the events since are read from the parts that hold them now.
    const now = (await currentPersonTimeline(client()))!;
    expect(now.version).toBe(timeline.version);
    expect(now.newerParts.length).toBeGreaterThan(0);
    await expectTimelineAnswersLikeEvents(client(), now);
    const [trendEvents, trendTimeline] = await funnelBothWays(client(), { ...FUNNEL, trend: 'day' }, now, funnelTrendSql);
    expect(trendTimeline).toBe(trendEvents);
    // The parts that hold the newer events merged after the lookup (new part names): still read.
    await client().command({ query: 'OPTIMIZE TABLE events FINAL' });
    const merged = (await currentPersonTimeline(client()))!.newerParts;
    expect(merged.some((name) => now.newerParts.includes(name))).toBe(false);
    await expectTimelineAnswersLikeEvents(client(), now, DEFINITIONS.slice(0, 2));
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
