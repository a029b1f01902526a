import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunnelDefinitionInput } from '@sextant/schemas';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { runFunnel, type FunnelResult } from '../src/analytics/run-funnel.js';
import { startEngineStore, type EngineStore, type TestEvent } from './fixtures/engine-store.js';

/**
 * Funnels on seeded random journeys against a brute-force computation written here: for every person,
 * the greedy chain from every step-1 event in range (each next step the first matching event after the
 * previous one, within the window of the start), the longest chain winning and the latest start among
 * equals. The SQL keeps only some starts and packs events into numbers; this checks the answers do not
 * depend on that, before the person event timeline is written (`events`) and after (`timeline`).
 */
const EVENTS = ['Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed', 'Product Reviewed'];
const WEIGHTS = [6, 4, 3, 3, 1];
const DAY = 86_400_000;
const START = Date.parse('2024-03-01T00:00:00Z');
const FROM = '2024-03-03';
const TO = '2024-03-08';
const AS_OF = new Date('2024-03-08T06:00:00Z');
const PERSONS = 300;

/** mulberry32: the same journeys on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ev { person: string; event: string; t: number }

function journeys(): Ev[] {
  const rnd = random(20241206);
  const out: Ev[] = [];
  for (let p = 0; p < PERSONS; p++) {
    const n = 1 + Math.floor(rnd() * 24);
    // Distinct minutes (ties between a person's events are covered by the hand-worked tests); bursts of a
    // few hours and gaps of days, so windows of both sizes cut chains.
    const minutes = new Set<number>();
    let at = Math.floor(rnd() * 9 * 24 * 60);
    while (minutes.size < n) {
      at += rnd() < 0.2 ? Math.floor(rnd() * 3 * 24 * 60) : 1 + Math.floor(rnd() * 90);
      minutes.add(at % (10 * 24 * 60));
    }
    for (const m of minutes) {
      let r = rnd() * WEIGHTS.reduce((a, b) => a + b, 0);
      let e = 0;
      while (r >= WEIGHTS[e]!) r -= WEIGHTS[e++]!;
      out.push({ person: `o-${p}`, event: EVENTS[e]!, t: START + m * 60_000 });
    }
  }
  return out;
}

/** numpy-style linear interpolation between the closest ranks (quantileExactInclusive). */
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  return lo + 1 < s.length ? s[lo]! + (pos - lo) * (s[lo + 1]! - s[lo]!) : s[lo]!;
}

function expected(events: Ev[], steps: string[], windowMs: number) {
  const from = Date.parse(`${FROM}T00:00:00Z`);
  const to = Date.parse(`${TO}T00:00:00Z`);
  const n = steps.length;
  const reached = new Array(n).fill(0), dropped = new Array(n).fill(0), inProgress = new Array(n).fill(0);
  const gaps: number[][] = steps.map(() => []);
  const byPerson = new Map<string, Ev[]>();
  for (const e of events) byPerson.set(e.person, [...(byPerson.get(e.person) ?? []), e]);
  for (const evs of byPerson.values()) {
    evs.sort((a, b) => a.t - b.t);
    const starts = evs.map((e, i) => ({ e, i })).filter(({ e }) => e.event === steps[0] && e.t >= from && e.t < to);
    if (starts.length === 0) continue;
    let best: number[] = [];
    for (const { e: s, i } of starts) {
      const chain = [s.t];
      let pos = i;
      for (let k = 1; k < n; k++) {
        const next = evs.findIndex((x, j) => j > pos && x.event === steps[k]);
        if (next < 0 || evs[next]!.t > s.t + windowMs) break;
        chain.push(evs[next]!.t);
        pos = next;
      }
      if (chain.length >= best.length) best = chain; // later starts come later: ties go to the latest
    }
    const level = best.length;
    const lastStart = starts[starts.length - 1]!.e.t;
    const open = level < n && lastStart + windowMs > AS_OF.getTime();
    for (let k = 0; k < level; k++) reached[k]++;
    if (open) inProgress[level - 1]++;
    else if (level < n) dropped[level - 1]++;
    for (let k = 1; k < level; k++) gaps[k]!.push((best[k]! - best[k - 1]!) / 1000);
  }
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return steps.map((_, k) => ({
    count: reached[k], droppedOff: dropped[k], inProgress: inProgress[k],
    medianSecondsFromPrevious: k > 0 && gaps[k]!.length ? round(quantile(gaps[k]!, 0.5)) : null,
    p90SecondsFromPrevious: k > 0 && gaps[k]!.length ? round(quantile(gaps[k]!, 0.9)) : null,
  }));
}

const DEFINITIONS: { name: string; steps: string[]; windowMs: number }[] = [
  { name: '4 steps, 1-day window', steps: EVENTS.slice(0, 4), windowMs: DAY },
  { name: '3 steps, 2-hour window', steps: ['Product Viewed', 'Product Added', 'Order Completed'], windowMs: 2 * 3_600_000 },
  { name: '2 steps, 3-day window, reviews start', steps: ['Product Reviewed', 'Product Viewed'], windowMs: 3 * DAY },
];

let db: EngineStore;
const events = journeys();

function answer(r: FunnelResult) {
  return r.total.steps.map(({ count, droppedOff, inProgress, medianSecondsFromPrevious, p90SecondsFromPrevious }) =>
    ({ count, droppedOff, inProgress, medianSecondsFromPrevious, p90SecondsFromPrevious }));
}

beforeAll(async () => {
  db = await startEngineStore();
  await db.insertEvents(events.map((e): TestEvent => ({ anonymous_id: e.person, event: e.event, timestamp: new Date(e.t).toISOString() })));
});
afterAll(async () => db?.stop());

describe('funnel chains against a brute-force computation', () => {
  it('has journeys with several starts per chain', () => {
    // (a check on the data, so the comparisons below mean something)
    const views = new Map<string, number>();
    for (const e of events) if (e.event === 'Product Viewed') views.set(e.person, (views.get(e.person) ?? 0) + 1);
    expect([...views.values()].filter((v) => v >= 5).length).toBeGreaterThan(20);
    const r = expected(events, DEFINITIONS[0]!.steps, DEFINITIONS[0]!.windowMs);
    expect(r[0]!.count).toBeGreaterThan(50);
    expect(r[3]!.count).toBeGreaterThan(5);
    expect(r[1]!.droppedOff + r[2]!.droppedOff).toBeGreaterThan(5);
  });

  for (const source of ['events', 'timeline'] as const) {
    it(`gives the brute-force answers, read from ${source}`, async () => {
      if (source === 'timeline') await refreshEngine(db.store.client, db.store, {}, AS_OF);
      for (const d of DEFINITIONS) {
        const def: FunnelDefinitionInput = { steps: d.steps.map((event) => ({ event })), window_seconds: d.windowMs / 1000, from: FROM, to: TO };
        const r = await runFunnel(db.store.client, def, { asOf: AS_OF });
        expect(r.source, d.name).toBe(source);
        expect(answer(r), d.name).toEqual(expected(events, d.steps, d.windowMs));
        const withChannel = await runFunnel(db.store.client, { ...def, breakdown: { channel: true } }, { asOf: AS_OF });
        expect(answer(withChannel), `${d.name}, channel breakdown`).toEqual(answer(r));
      }
    });
  }
});
