import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAttributionQuery } from '../src/analytics/attribution-query.js';
import { runAttribution, type AttributionResult } from '../src/analytics/run-attribution.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

/**
 * Conversions in May 2024, lookback 7 days, time-decay half-life 1 day, position based 40/20/40.
 * - P1: facebook 05-10 00:00, google 05-12 00:00, direct landing 05-13 00:00, an inner page (not a
 *   touch) 05-13 01:00, order 100 USD 05-13 12:00. Ages 3.5, 1.5, 0.5 days → decay weights 1:4:8 (/13).
 * - P2: email 04-20 (outside the lookback), facebook 04-30 10:00 (before May, inside the lookback),
 *   order 50 EUR 05-02 10:00 (1 USD = 0.5 EUR → 100 USD).
 * - P3: order 30 USD 05-20, no touch → (none) in every model.
 * - P4: google and tiktok at the same instant 05-25 00:00 (tie: ordered by channel → google first),
 *   order 60 05-25 06:00.
 * - P5: facebook 05-15, never orders (a Markov null journey).
 * - P6: direct landing 05-26 00:00, order 10 05-26 01:00 (last non-direct falls back to direct).
 * Spend: facebook 50 USD (05-10), google 40 EUR = 80 USD (05-12).
 */
let db: EngineStore;
let result: AttributionResult;
const DEF = { from: '2024-05-01', to: '2024-06-01', lookback_days: 7, half_life_days: 1 };

beforeAll(async () => {
  db = await startEngineStore();
  const page = (who: string, ts: string, extra: Record<string, unknown> = {}) => ({ anonymous_id: who, type: 'page', timestamp: ts, context: { sessionStart: true }, ...extra });
  const order = (who: string, ts: string, revenue: number, currency = 'USD') => ({ anonymous_id: who, event: 'Order Completed', timestamp: ts, revenue, currency });
  await db.insertEvents([
    page('P1', '2024-05-10 00:00:00', { utm_source: 'facebook', utm_campaign: 'spring', fbclid: 'f1' }),
    page('P1', '2024-05-12 00:00:00', { gclid: 'g1', utm_campaign: 'search' }),
    page('P1', '2024-05-13 00:00:00'),
    { anonymous_id: 'P1', type: 'page', timestamp: '2024-05-13 01:00:00' },
    order('P1', '2024-05-13 12:00:00', 100),
    page('P2', '2024-04-20 00:00:00', { utm_source: 'newsletter', utm_medium: 'email' }),
    page('P2', '2024-04-30 10:00:00', { utm_source: 'facebook' }),
    order('P2', '2024-05-02 10:00:00', 50, 'EUR'),
    order('P3', '2024-05-20 00:00:00', 30),
    page('P4', '2024-05-25 00:00:00', { ttclid: 't1' }),
    page('P4', '2024-05-25 00:00:00', { gclid: 'g2' }),
    order('P4', '2024-05-25 06:00:00', 60),
    page('P5', '2024-05-15 00:00:00', { utm_source: 'facebook' }),
    page('P6', '2024-05-26 00:00:00'),
    order('P6', '2024-05-26 01:00:00', 10),
  ]);
  await db.store.client.insert({ table: 'exchange_rates', values: [{ date: '2024-05-01', currency: 'EUR', usd_rate: 0.5 }], format: 'JSONEachRow' });
  await db.store.client.insert({
    table: 'ad_spend', format: 'JSONEachRow',
    values: [
      { source_id: 'src', date: '2024-05-10', channel: 'facebook_ads', utm_source: 'facebook', utm_medium: 'paid_social', campaign_id: 'c1', campaign: 'spring', ad_set_id: 'a', ad_set: 'a', currency: 'USD', impressions: 1000, clicks: 10, spend: 50 },
      { source_id: 'src', date: '2024-05-12', channel: 'google_ads', utm_source: 'google', utm_medium: 'cpc', campaign_id: 'c2', campaign: 'search', ad_set_id: 'b', ad_set: 'b', currency: 'EUR', impressions: 500, clicks: 20, spend: 40 },
    ],
  });
  result = await runAttribution(db.store.client, DEF);
});
afterAll(async () => db?.stop());

const revenue = (model: string) => Object.fromEntries(result.rows.map((r) => [r.channel, (r.models as Record<string, { revenue: number }>)[model]!.revenue]).filter(([, v]) => v !== 0));
const close = (actual: Record<string, number>, expected: Record<string, number>) => {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) expect(actual[k]).toBeCloseTo(v, 4);
};

describe('attribution (hand-computed)', () => {
  it('totals every conversion once, with those without a touch under (none)', () => {
    expect(result.totals).toMatchObject({ conversions: 5, revenue: 300, withoutTouch: 1, spend: 130 });
  });
  it('first touch', () => close(revenue('first_touch'), { facebook_ads: 200, google_ads: 60, direct: 10, '(none)': 30 }));
  it('last touch (a tie at the same instant: ordered by channel)', () => close(revenue('last_touch'), { direct: 110, facebook_ads: 100, tiktok_ads: 60, '(none)': 30 }));
  it('last non-direct touch (falls back to direct when only direct)', () => close(revenue('last_non_direct'), { google_ads: 100, facebook_ads: 100, tiktok_ads: 60, direct: 10, '(none)': 30 }));
  it('linear', () => close(revenue('linear'), { facebook_ads: 100 / 3 + 100, google_ads: 100 / 3 + 30, direct: 100 / 3 + 10, tiktok_ads: 30, '(none)': 30 }));
  it('time decay (half-life 1 day)', () => close(revenue('time_decay'), { facebook_ads: 100 / 13 + 100, google_ads: 400 / 13 + 30, direct: 800 / 13 + 10, tiktok_ads: 30, '(none)': 30 }));
  it('position based 40/20/40 and a configurable split', async () => {
    close(revenue('position_based'), { facebook_ads: 140, google_ads: 50, direct: 50, tiktok_ads: 30, '(none)': 30 });
    const r = await runAttribution(db.store.client, { ...DEF, models: ['position_based'], position_weights: { first: 0.3, last: 0.5 } });
    const by = Object.fromEntries(r.rows.map((x) => [x.channel, x.models.position_based!.revenue]));
    expect(by.google_ads).toBeCloseTo(20 + 60 * 0.3 / 0.8, 6); // P1 middle 20 %; P4: two touches split 3:5
  });
  it('ROAS and CPA from the imported spend (USD)', () => {
    const fb = result.rows.find((r) => r.channel === 'facebook_ads')!;
    expect(fb).toMatchObject({ spend: 50, models: { first_touch: { revenue: 200, conversions: 2, roas: 4, cpa: 25 } } });
    const g = result.rows.find((r) => r.channel === 'google_ads')!;
    expect(g.spend).toBe(80);
    expect(g.models.first_touch).toMatchObject({ roas: 0.75, cpa: 80 });
  });
  it('groups by campaign', async () => {
    const r = await runAttribution(db.store.client, { ...DEF, group_by: 'campaign', models: ['first_touch', 'markov'] });
    const by = Object.fromEntries(r.rows.map((x) => [`${x.channel}/${x.campaign}`, x.models.first_touch!.revenue]));
    expect(by).toMatchObject({ 'facebook_ads/spring': 100, 'facebook_ads/(none)': 100, 'google_ads/(none)': 60 });
    expect(r.rows.find((x) => x.campaign === 'spring')!.spend).toBe(50);
  });
  it('prints the same SQL for the same definition (snapshot)', () => {
    const q = buildAttributionQuery(DEF);
    expect({ sql: q.sql, params: q.params }).toMatchSnapshot();
  });
});

describe('Markov removal effect', () => {
  /** Independent: transitions counted from the journeys listed by hand, absorption solved by Gaussian elimination. */
  function independentShares(journeys: { path: string[]; converted: boolean }[]): Record<string, number> {
    const states = [...new Set(journeys.flatMap((j) => j.path))].sort();
    const pConv = (removed: string | null): number => {
      const live = ['(start)', ...states.filter((s) => s !== removed)];
      const count = new Map<string, Map<string, number>>();
      for (const j of journeys) {
        const seq = ['(start)', ...j.path, j.converted ? 'C' : 'N'];
        for (let i = 0; i + 1 < seq.length; i++) {
          const m = count.get(seq[i]!) ?? new Map<string, number>();
          m.set(seq[i + 1]!, (m.get(seq[i + 1]!) ?? 0) + 1);
          count.set(seq[i]!, m);
        }
      }
      // x_s = sum_t P(s,t) x_t, x_C = 1, x_N = x_removed = 0  →  (I − Q) x = b
      const k = live.length;
      const a = live.map((s, i) => {
        const m = count.get(s) ?? new Map<string, number>();
        const total = [...m.values()].reduce((x, y) => x + y, 0);
        const row = new Array<number>(k + 1).fill(0);
        row[i] = 1;
        for (const [t, c] of m) {
          if (t === 'C') row[k]! += c / total;
          const j = live.indexOf(t);
          if (j >= 0) row[j]! -= c / total;
        }
        return row;
      });
      for (let c = 0; c < k; c++) {
        const piv = a.findIndex((r, i) => i >= c && Math.abs(r[c]!) > 1e-12);
        [a[c], a[piv]] = [a[piv]!, a[c]!];
        for (let r = 0; r < k; r++) {
          if (r === c) continue;
          const f = a[r]![c]! / a[c]![c]!;
          for (let x = c; x <= k; x++) a[r]![x]! -= f * a[c]![x]!;
        }
      }
      return a[0]![k]! / a[0]![0]!;
    };
    const base = pConv(null);
    const effects = Object.fromEntries(states.map((s) => [s, 1 - pConv(s) / base]));
    const sum = Object.values(effects).reduce((x, y) => x + y, 0);
    return Object.fromEntries(Object.entries(effects).map(([s, e]) => [s, e / sum]));
  }

  it('matches an independent computation over the hand-listed journeys', () => {
    const expected = independentShares([
      { path: ['facebook_ads', 'google_ads', 'direct'], converted: true },
      { path: ['facebook_ads'], converted: true },
      { path: ['google_ads', 'tiktok_ads'], converted: true },
      { path: ['direct'], converted: true },
      { path: ['facebook_ads'], converted: false },
    ]);
    const shares = result.markov!.shares;
    expect(Object.keys(shares).sort()).toEqual(Object.keys(expected).sort());
    for (const [s, v] of Object.entries(expected)) expect(shares[s]).toBeCloseTo(v, 8);
    // Conversions with a touch (4) and their revenue (270) are shared; (none) keeps its own.
    const markov = Object.fromEntries(result.rows.map((r) => [r.channel, r.models.markov!]));
    for (const [s, v] of Object.entries(expected)) expect(markov[s]!.revenue).toBeCloseTo(270 * v, 4);
    expect(markov['(none)']).toMatchObject({ revenue: 30, conversions: 1 });
    expect(Object.values(markov).reduce((a, m) => a + m.conversions, 0)).toBeCloseTo(5, 6);
  });
});
