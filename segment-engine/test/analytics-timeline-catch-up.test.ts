import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { segmentEngineRoutes } from '../src/routes/segment-engine-routes.js';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { runFunnel } from '../src/analytics/run-funnel.js';
import { currentPersonTimeline } from '../src/analytics/refresh-person-timeline.js';
import { catchUpPersonTimeline } from '../src/analytics/catch-up-person-timeline.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';
import { AS_OF, EVENTS_AFTER, EVENTS_BEFORE, expectTimelineAnswersLikeEvents, FUNNEL, landing } from './fixtures/timeline-funnel-data.js';

/**
 * The timeline catch-up between refreshes: the events stored since the timeline's watermark are
 * appended to it, and funnels still answer exactly as a read of `events` alone (data and hand-worked
 * answers: `fixtures/timeline-funnel-data.ts`). A landing page that arrives after a later event of its
 * person was written is appended too, and its person marked stale until the next refresh.
 */
let db: EngineStore;
const client = () => db.store.client;
const CHANNEL_FUNNEL = { ...FUNNEL, breakdown: { channel: true } } as const;

const expectSameAsEvents = async () => expectTimelineAnswersLikeEvents(client(), (await currentPersonTimeline(client()))!);
const channels = async () => {
  const r = await runFunnel(client(), CHANNEL_FUNNEL, { asOf: AS_OF });
  expect(r.source).toBe('timeline');
  return Object.fromEntries(r.breakdown.map((g) => [g.value, g.entered]));
};

beforeAll(async () => {
  db = await startEngineStore();
  await db.insertEvents(EVENTS_BEFORE);
});
afterAll(async () => db?.stop());

describe('timeline catch-up', () => {
  it('has nothing to do before the first refresh, nor right after one', async () => {
    expect(await catchUpPersonTimeline(client())).toBeUndefined();
    await refreshEngine(client(), db.store, {}, AS_OF);
    const timeline = (await currentPersonTimeline(client()))!;
    const r = (await catchUpPersonTimeline(client()))!;
    expect(r).toEqual({ version: timeline.version, from: timeline.watermark, watermark: timeline.watermark, appended: 0, latePersons: 0 });
  });

  it('appends the events stored since, with their persons and touches, and funnels read none from events', async () => {
    const before = (await currentPersonTimeline(client()))!;
    await db.insertEvents(EVENTS_AFTER);
    expect((await currentPersonTimeline(client()))!.newerParts.length).toBeGreaterThan(0);
    const r = (await catchUpPersonTimeline(client()))!;
    // 6 track events and 2 landing pages.
    expect(r).toMatchObject({ version: before.version, from: before.watermark, appended: 8, latePersons: 0 });
    expect(r.watermark).toBeGreaterThan(before.watermark);
    const after = (await currentPersonTimeline(client()))!;
    expect(after).toMatchObject({ version: before.version, watermark: r.watermark, newerParts: [] });
    // p-1's new view joined paula's person through the timeline's key map; V's view got the landing
    // page from the timeline; W's late view got the gclid landing before it (not the later email one).
    const pRows = await db.query<{ n: string }>(
      `SELECT uniqExact(person_id) AS n FROM person_event_timeline WHERE version = {v:UInt64} AND key_hash IN (cityHash64('a:p-1'), cityHash64('u:paula'))`,
      { v: after.version },
    );
    expect(Number(pRows[0]!.n)).toBe(1);
    const r2 = await runFunnel(client(), CHANNEL_FUNNEL, { asOf: AS_OF });
    expect(r2.total.steps.map((s) => s.count)).toEqual([7, 2, 2, 2]);
    expect(await channels()).toEqual({ facebook_ads: 1, direct: 2, google_ads: 2, tiktok_ads: 2 });
    await expectSameAsEvents();
    // Again: nothing new.
    expect((await catchUpPersonTimeline(client()))!.appended).toBe(0);
  });

  it('appends a landing page stored again at the same time (no row changes its touch)', async () => {
    await db.insertEvents([landing('v-1', '2024-06-07T09:00:00Z', { ttclid: 'tt-2' })]);
    const r = (await catchUpPersonTimeline(client()))!;
    expect(r).toMatchObject({ appended: 1, latePersons: 0 });
    expect((await currentPersonTimeline(client()))!.newerParts).toEqual([]);
    await expectSameAsEvents();
  });

  it('appends a late landing page, marks its person stale so funnels stay right, and the next refresh clears it', async () => {
    const before = (await currentPersonTimeline(client()))!;
    expect(before.stalePersons).toBe(false);
    // X is new; then U's landing page from an email at 09:30, before its 10:00 view that is already in
    // the timeline (crediting the 05-28 landing, too old: direct); then Y is new.
    await db.insertEvents([{ anonymous_id: 'x-1', event: 'Product Viewed', timestamp: '2024-06-08T10:00:00Z' }]);
    await db.insertEvents([landing('u-1', '2024-06-02T09:30:00Z', { utm_source: 'newsletter', utm_medium: 'email' })]);
    await db.insertEvents([{ anonymous_id: 'y-1', event: 'Product Viewed', timestamp: '2024-06-08T11:00:00Z' }]);
    const r = (await catchUpPersonTimeline(client()))!;
    expect(r).toMatchObject({ version: before.version, appended: 3, latePersons: 1 });
    const after = (await currentPersonTimeline(client()))!;
    expect(after).toMatchObject({ watermark: r.watermark, newerParts: [], stalePersons: true });
    const stale = await db.query<{ p: string }>('SELECT toString(person_id) AS p FROM person_event_timeline_stale WHERE version = {v:UInt64}', { v: after.version });
    const u = await db.query<{ p: string }>(`SELECT DISTINCT toString(person_id) AS p FROM person_event_timeline WHERE version = {v:UInt64} AND key_hash = cityHash64('a:u-1')`, { v: after.version });
    expect(stale.map((x) => x.p)).toEqual(u.map((x) => x.p));
    // U moves from direct to email at once; X and Y are direct.
    expect(await channels()).toEqual({ facebook_ads: 1, direct: 3, google_ads: 2, tiktok_ads: 2, email: 1 });
    await expectSameAsEvents();
    // Nothing left to append; marking U again adds no person.
    expect(await catchUpPersonTimeline(client())).toMatchObject({ appended: 0, latePersons: 0, watermark: r.watermark });
    await refreshEngine(client(), db.store, {}, AS_OF);
    expect(await currentPersonTimeline(client())).toMatchObject({ newerParts: [], stalePersons: false });
    expect(await channels()).toEqual({ facebook_ads: 1, direct: 3, google_ads: 2, tiktok_ads: 2, email: 1 });
  });

  it('runs on the server every `timelineCatchUpMs`', async () => {
    const app = Fastify();
    await app.register(segmentEngineRoutes, { store: db.store, requireAuth: () => {}, refreshIntervalMs: 0, timelineCatchUpMs: 100 });
    await app.ready();
    try {
      const before = (await currentPersonTimeline(client()))!;
      await db.insertEvents([{ anonymous_id: 'z-1', event: 'Product Viewed', timestamp: '2024-06-09T10:00:00Z' }]);
      let now = before;
      for (let i = 0; i < 100 && now.watermark === before.watermark; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        now = (await currentPersonTimeline(client()))!;
      }
      expect(now).toMatchObject({ version: before.version, newerParts: [] });
      expect(now.watermark).toBeGreaterThan(before.watermark);
      const z = await db.query<{ n: string }>(`SELECT count() AS n FROM person_event_timeline WHERE version = {v:UInt64} AND key_hash = cityHash64('a:z-1')`, { v: now.version });
      expect(Number(z[0]!.n)).toBe(1);
    } finally {
      await app.close();
    }
  });
});
