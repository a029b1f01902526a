import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { buildFunnelQuery, funnelStepsSql } from '../src/analytics/funnel-query.js';
import { funnelDropOffs, runFunnel } from '../src/analytics/run-funnel.js';
import type { FunnelDefinitionInput } from '@sextant/schemas';
import { DefinitionError } from '../src/errors.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

/**
 * Funnel View → Add → Checkout → Order, window 1 day, step 1 in [05-01, 05-10), as of 05-09 12:00.
 * Worked out by hand (gaps in seconds):
 * - A  (anon a-A, then userId alice via identify; country US): view 05-01 10:00 (fbclid), add +600,
 *      checkout +1200, order +1800 (the last two as alice) → converted; gaps 600, 1200, 1800.
 * - B  (country DE, gclid): view 05-02 10:00, add +1200, checkout +6000, order 05-03 11:00 = 25 h after
 *      the view: outside the window → stops at 3 (dropped); gaps 1200, 6000.
 * - C  (direct): view 05-03 09:00, add +300 → dropped at 2.
 * - D  (direct): view 05-04 → dropped at 1.
 * - E  (facebook): view 05-09 06:00, add +1800 → at 2 but the window closes 05-10 06:00 > as-of: in progress.
 * - F  (facebook): views 05-05 08:00 and 20:00, add 05-06 07:00, checkout 07:10, order 07:20 → converted;
 *      both starts complete; the latest start is the journey → gaps 39600, 600, 600.
 * - G  (email): order 05-02 09:00 then view 10:00 → only step 1 (dropped at 1).
 * - H: view 04-30 (before the range), add 05-01 → not in the funnel.
 * June (modes): I repeats a view mid-journey, J's view and add share a timestamp, K adds twice in a row,
 * L checks out before adding; all four complete in the default mode.
 * Step counts 7, 5, 3, 2; dropped 2, 1 (+1 in progress), 1, -.
 * view→add gaps 300, 600, 1200, 1800, 39600 → median 1200, p90 (interpolated) 1800 + 0.6·37800 = 24480.
 * add→checkout 600, 1200, 6000 → median 1200, p90 1200 + 0.8·4800 = 5040.
 * checkout→order 600, 1800 → median 1200, p90 600 + 0.9·1200 = 1680.
 */
const AS_OF = new Date('2024-05-09T12:00:00Z');
const FUNNEL: FunnelDefinitionInput = {
  steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Checkout Started' }, { event: 'Order Completed' }],
  window_seconds: 86_400,
  from: '2024-05-01',
  to: '2024-05-10',
};
let db: EngineStore;
const pid = async (key: string) => (await db.query<{ p: string }>(`SELECT toString(cityHash64({k:String})) AS p`, { k: key }))[0]!.p;

beforeAll(async () => {
  db = await startEngineStore();
  const at = (t: string, s = 0) => new Date(new Date(`${t}Z`).getTime() + s * 1000).toISOString();
  await db.insertEvents([
    { anonymous_id: 'a-A', event: 'Product Viewed', timestamp: at('2024-05-01T10:00:00'), fbclid: 'fb1', utm_source: 'facebook', utm_campaign: 'spring', properties: { country: 'US' } },
    { anonymous_id: 'a-A', event: 'Product Added', timestamp: at('2024-05-01T10:00:00', 600) },
    { anonymous_id: 'a-A', user_id: 'alice', type: 'identify', timestamp: at('2024-05-01T10:00:00', 700) },
    { user_id: 'alice', event: 'Checkout Started', timestamp: at('2024-05-01T10:00:00', 1800) },
    { user_id: 'alice', event: 'Order Completed', timestamp: at('2024-05-01T10:00:00', 3600), revenue: 50, currency: 'USD' },
    { anonymous_id: 'a-B', event: 'Product Viewed', timestamp: at('2024-05-02T10:00:00'), gclid: 'g1', utm_campaign: 'search', properties: { country: 'DE' } },
    { anonymous_id: 'a-B', event: 'Product Added', timestamp: at('2024-05-02T10:00:00', 1200) },
    { anonymous_id: 'a-B', event: 'Checkout Started', timestamp: at('2024-05-02T10:00:00', 7200) },
    { anonymous_id: 'a-B', event: 'Order Completed', timestamp: at('2024-05-03T11:00:00') },
    { anonymous_id: 'a-C', event: 'Product Viewed', timestamp: at('2024-05-03T09:00:00') },
    { anonymous_id: 'a-C', event: 'Product Added', timestamp: at('2024-05-03T09:00:00', 300) },
    { anonymous_id: 'a-D', event: 'Product Viewed', timestamp: at('2024-05-04T09:00:00') },
    { anonymous_id: 'a-E', event: 'Product Viewed', timestamp: at('2024-05-09T06:00:00'), utm_source: 'facebook' },
    { anonymous_id: 'a-E', event: 'Product Added', timestamp: at('2024-05-09T06:00:00', 1800) },
    { anonymous_id: 'a-F', event: 'Product Viewed', timestamp: at('2024-05-05T08:00:00'), utm_source: 'facebook', utm_campaign: 'spring' },
    { anonymous_id: 'a-F', event: 'Product Viewed', timestamp: at('2024-05-05T20:00:00') },
    { anonymous_id: 'a-F', event: 'Product Added', timestamp: at('2024-05-06T07:00:00') },
    { anonymous_id: 'a-F', event: 'Checkout Started', timestamp: at('2024-05-06T07:10:00') },
    { anonymous_id: 'a-F', event: 'Order Completed', timestamp: at('2024-05-06T07:20:00') },
    { anonymous_id: 'a-G', event: 'Order Completed', timestamp: at('2024-05-02T09:00:00') },
    { anonymous_id: 'a-G', event: 'Product Viewed', timestamp: at('2024-05-02T10:00:00'), utm_source: 'newsletter', utm_medium: 'email' },
    { anonymous_id: 'a-H', event: 'Product Viewed', timestamp: at('2024-04-30T20:00:00') },
    { anonymous_id: 'a-H', event: 'Product Added', timestamp: at('2024-05-01T01:00:00') },
    // June, for the modes: I views twice between add and checkout; J's view and add share a timestamp.
    { anonymous_id: 'a-I', event: 'Product Viewed', timestamp: at('2024-06-02T10:00:00') },
    { anonymous_id: 'a-I', event: 'Product Added', timestamp: at('2024-06-02T10:01:00') },
    { anonymous_id: 'a-I', event: 'Product Viewed', timestamp: at('2024-06-02T10:02:00') },
    { anonymous_id: 'a-I', event: 'Checkout Started', timestamp: at('2024-06-02T10:03:00') },
    { anonymous_id: 'a-I', event: 'Order Completed', timestamp: at('2024-06-02T10:04:00') },
    { anonymous_id: 'a-J', event: 'Product Viewed', timestamp: at('2024-06-03T10:00:00') },
    { anonymous_id: 'a-J', event: 'Product Added', timestamp: at('2024-06-03T10:00:00') },
    { anonymous_id: 'a-J', event: 'Checkout Started', timestamp: at('2024-06-03T10:05:00') },
    { anonymous_id: 'a-J', event: 'Order Completed', timestamp: at('2024-06-03T10:06:00') },
    { anonymous_id: 'a-K', event: 'Product Viewed', timestamp: at('2024-06-04T10:00:00') },
    { anonymous_id: 'a-K', event: 'Product Added', timestamp: at('2024-06-04T10:01:00') },
    { anonymous_id: 'a-K', event: 'Product Added', timestamp: at('2024-06-04T10:02:00') },
    { anonymous_id: 'a-K', event: 'Checkout Started', timestamp: at('2024-06-04T10:03:00') },
    { anonymous_id: 'a-K', event: 'Order Completed', timestamp: at('2024-06-04T10:04:00') },
    { anonymous_id: 'a-L', event: 'Product Viewed', timestamp: at('2024-06-05T10:00:00') },
    { anonymous_id: 'a-L', event: 'Checkout Started', timestamp: at('2024-06-05T10:01:00') },
    { anonymous_id: 'a-L', event: 'Product Added', timestamp: at('2024-06-05T10:02:00') },
    { anonymous_id: 'a-L', event: 'Checkout Started', timestamp: at('2024-06-05T10:03:00') },
    { anonymous_id: 'a-L', event: 'Order Completed', timestamp: at('2024-06-05T10:04:00') },
  ]);
  await refreshEngine(db.store.client, db.store, {}, AS_OF);
});
afterAll(async () => db?.stop());

describe('funnel', () => {
  it('counts each step, drop-offs, in-progress persons and times within the window', async () => {
    const r = await runFunnel(db.store.client, FUNNEL, { asOf: AS_OF });
    expect(r.total.steps.map((s) => s.count)).toEqual([7, 5, 3, 2]);
    expect(r.total.steps.map((s) => s.droppedOff)).toEqual([2, 1, 1, 0]);
    expect(r.total.steps.map((s) => s.inProgress)).toEqual([0, 1, 0, 0]);
    expect(r.total.steps.map((s) => s.conversionFromPrevious)).toEqual([1, 5 / 7, 3 / 5, 2 / 3]);
    expect(r.total.steps.map((s) => s.medianSecondsFromPrevious)).toEqual([null, 1200, 1200, 1200]);
    expect(r.total.steps.map((s) => s.p90SecondsFromPrevious)).toEqual([null, 24480, 5040, 1680]);
    expect(r.total).toMatchObject({ entered: 7, converted: 2, conversionRate: 2 / 7, settledConversionRate: 2 / 6 });
  });

  it('breaks down by the entry channel with a (none)-free channel list, rows adding up to the total', async () => {
    const r = await runFunnel(db.store.client, { ...FUNNEL, breakdown: { channel: true } }, { asOf: AS_OF });
    const by = Object.fromEntries(r.breakdown.map((g) => [g.value, g.steps.map((s) => s.count)]));
    expect(by).toEqual({ facebook_ads: [3, 3, 2, 2], google_ads: [1, 1, 1, 0], direct: [2, 1, 0, 0], email: [1, 0, 0, 0] });
    for (let k = 0; k < 4; k++) expect(r.breakdown.reduce((a, g) => a + g.steps[k]!.count, 0)).toBe(r.total.steps[k]!.count);
    expect(r.breakdown.find((g) => g.value === 'facebook_ads')!.steps[1]!.inProgress).toBe(1);
  });

  it('puts persons without the property in an explicit (none) row', async () => {
    const r = await runFunnel(db.store.client, { ...FUNNEL, breakdown: { property: 'country' } }, { asOf: AS_OF });
    const by = Object.fromEntries(r.breakdown.map((g) => [g.value, g.entered]));
    expect(by).toEqual({ '(none)': 5, US: 1, DE: 1 });
    expect(r.breakdown.find((g) => g.value === 'US')!.converted).toBe(1);
  });

  it('breaks down by first-touch campaign (a person trait; identity resolved: a-A and alice are one person)', async () => {
    const r = await runFunnel(db.store.client, { ...FUNNEL, breakdown: { trait: 'first_touch_campaign' } }, { asOf: AS_OF });
    const by = Object.fromEntries(r.breakdown.map((g) => [g.value, [g.entered, g.converted]]));
    expect(by).toEqual({ '(none)': [4, 0], spring: [2, 2], search: [1, 0] });
  });

  it('trends conversion by entry day', async () => {
    const r = await runFunnel(db.store.client, { ...FUNNEL, trend: 'day' }, { asOf: AS_OF });
    expect(r.trend.map((t) => [t.period, t.entered, t.converted, t.inProgress])).toEqual([
      ['2024-05-01', 1, 1, 0], ['2024-05-02', 2, 0, 0], ['2024-05-03', 1, 0, 0], ['2024-05-04', 1, 0, 0], ['2024-05-05', 1, 1, 0], ['2024-05-09', 1, 0, 1],
    ]);
  });

  it('lists who dropped off at a step (in-progress persons excluded)', async () => {
    expect(await funnelDropOffs(db.store.client, FUNNEL, 2, { asOf: AS_OF })).toEqual([await pid('a:a-C')]);
    expect((await funnelDropOffs(db.store.client, FUNNEL, 1, { asOf: AS_OF })).sort()).toEqual([await pid('a:a-D'), await pid('a:a-G')].sort());
    // Later, E's window has closed: E is a drop-off too.
    expect(await funnelDropOffs(db.store.client, FUNNEL, 2, { asOf: new Date('2024-05-11T00:00:00Z') })).toHaveLength(2);
  });

  it('applies the ClickHouse funnel modes', async () => {
    const june = { ...FUNNEL, from: '2024-06-01', to: '2024-06-10' };
    const counts = async (mode: 'default' | 'strict_order' | 'strict_deduplication' | 'strict_increase') =>
      (await runFunnel(db.store.client, { ...june, mode }, { asOf: new Date('2024-07-01T00:00:00Z') })).total.steps.map((s) => s.count);
    expect(await counts('default')).toEqual([4, 4, 4, 4]);
    expect(await counts('strict_deduplication')).toEqual([4, 4, 3, 3]); // K adds twice in a row: stops at 2
    expect(await counts('strict_order')).toEqual([4, 3, 3, 3]); // L's checkout before the add: stops at 1
    expect(await counts('strict_increase')).toEqual([4, 3, 3, 3]); // J's add has the view's timestamp: stops at 1
  });

  it('filters steps by properties with bound parameters, and rejects bad definitions', async () => {
    const r = await runFunnel(db.store.client, { ...FUNNEL, steps: [{ event: 'Product Viewed', where: [{ property: 'country', op: 'eq', value: "US' OR 1=1 --" }] }, { event: 'Product Added' }] }, { asOf: AS_OF });
    expect(r.total.entered).toBe(0);
    expect(() => buildFunnelQuery({ ...FUNNEL, breakdown: { column: 'nope' } } as never)).toThrow(DefinitionError);
    expect(() => buildFunnelQuery({ ...FUNNEL, steps: [{ event: 'x' }] })).toThrow(DefinitionError);
  });

  it('gives the same answers with either query analyzer (runFunnel runs the current one, for planning speed)', async () => {
    for (const breakdown of [undefined, { channel: true }, { property: 'country' }, { trait: 'first_touch_campaign' }] as const) {
      const built = buildFunnelQuery({ ...FUNNEL, ...(breakdown ? { breakdown } : {}) }, { asOf: AS_OF });
      const [current, previous] = await Promise.all(['1', '0'].map((on) =>
        db.query(`${funnelStepsSql(built)} SETTINGS enable_analyzer = ${on}`, built.params)));
      expect(previous, JSON.stringify(breakdown)).toEqual(current);
      expect(current!.length).toBeGreaterThan(0);
    }
  });

  it('prints the same SQL for the same definition (snapshot)', () => {
    const built = buildFunnelQuery({ ...FUNNEL, breakdown: { property: 'country' }, steps: [{ event: 'Product Viewed', where: [{ column: 'utm_source', op: 'eq', value: 'facebook' }] }, { event: 'Order Completed' }] }, { asOf: AS_OF });
    expect({ sql: funnelStepsSql(built), params: built.params }).toMatchSnapshot();
  });
});
