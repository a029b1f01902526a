import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition } from '@sextant/schemas';
import { compileSegment, matchingPersonsSql } from '../src/dsl/compile-segment.js';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

/**
 * A tiny shop, answers worked out by hand (now = 2024-06-01):
 * - ann  (userId): facebook ad; viewed shoes, added, checkout, ordered 100 USD with a coupon (05-20);
 *        ordered 50 EUR (05-25; 1 USD = 0.5 EUR → 100 USD). plan=pro. 2 orders, 200 USD.
 * - ben  (userId): viewed 3 times (05-28..05-30), added once, no checkout. plan=free.
 * - cat  (anonymous only): viewed, added, checkout on 03-01, never ordered.
 * - dan  (userId): one order of 20 USD on 2024-01-10 (143 days before now).
 */
const NOW = new Date('2024-06-01T00:00:00Z');
let db: EngineStore;

beforeAll(async () => {
  db = await startEngineStore();
  await db.store.client.insert({ table: 'exchange_rates', values: [{ date: '2024-05-01', currency: 'EUR', usd_rate: 0.5 }], format: 'JSONEachRow' });
  await db.insertEvents([
    { user_id: 'ann', type: 'identify', timestamp: '2024-05-20 09:00:00', traits: { plan: 'pro', email: 'ann@x.io', age: 34 } },
    { user_id: 'ann', event: 'Product Viewed', timestamp: '2024-05-20 09:01:00', utm_source: 'facebook', utm_medium: 'paid_social', utm_campaign: 'spring', properties: { category: 'shoes' } },
    { user_id: 'ann', event: 'Product Added', timestamp: '2024-05-20 09:02:00', properties: { category: 'shoes' } },
    { user_id: 'ann', event: 'Checkout Started', timestamp: '2024-05-20 09:03:00' },
    { user_id: 'ann', event: 'Order Completed', timestamp: '2024-05-20 09:04:00', revenue: 100, currency: 'USD', properties: { coupon: 'SAVE10', total: 100 } },
    { user_id: 'ann', event: 'Order Completed', timestamp: '2024-05-25 09:04:00', revenue: 50, currency: 'EUR', properties: { total: 50 } },
    { user_id: 'ben', type: 'identify', timestamp: '2024-05-28 10:00:00', traits: { plan: 'free' } },
    { user_id: 'ben', event: 'Product Viewed', timestamp: '2024-05-28 10:01:00', properties: { category: 'hats' } },
    { user_id: 'ben', event: 'Product Viewed', timestamp: '2024-05-29 10:01:00', properties: { category: 'hats' } },
    { user_id: 'ben', event: 'Product Viewed', timestamp: '2024-05-30 10:01:00', properties: { category: "it's \"quoted\"" } },
    { user_id: 'ben', event: 'Product Added', timestamp: '2024-05-30 10:02:00' },
    { anonymous_id: 'cat-dev', event: 'Product Viewed', timestamp: '2024-03-01 10:00:00' },
    { anonymous_id: 'cat-dev', event: 'Product Added', timestamp: '2024-03-01 10:05:00' },
    { anonymous_id: 'cat-dev', event: 'Checkout Started', timestamp: '2024-03-01 10:10:00' },
    { user_id: 'dan', event: 'Order Completed', timestamp: '2024-01-10 12:00:00', revenue: 20, currency: 'USD' },
  ]);
  await refreshEngine(db.store.client, db.store, {}, NOW);
});
afterAll(async () => db?.stop());

const NAMES: Record<string, string> = {};
async function who(definition: Condition): Promise<string[]> {
  if (!Object.keys(NAMES).length) {
    for (const key of ['u:ann', 'u:ben', 'a:cat-dev', 'u:dan']) {
      const [r] = await db.query<{ h: string }>('SELECT toString(cityHash64({k:String})) AS h', { k: key });
      NAMES[r!.h] = key.slice(2).replace('-dev', '');
    }
  }
  const compiled = compileSegment(definition, { now: NOW });
  const rows = await db.query<{ id: string }>(`SELECT toString(person_id) AS id FROM (${matchingPersonsSql(compiled)})`, compiled.params);
  return rows.map((r) => NAMES[r.id] ?? r.id).sort();
}

describe('segment DSL on a hand-computed dataset', () => {
  it.each<[string, Condition, string[]]>([
    ['computed: at least one order', { type: 'computed', trait: 'orders_count', op: 'gte', value: 1 }, ['ann', 'dan']],
    ['computed: lifetime revenue in USD over 150 (EUR converted)', { type: 'computed', trait: 'lifetime_revenue', op: 'gt', value: 150 }, ['ann']],
    ['computed: average order value = 100', { type: 'computed', trait: 'average_order_value', op: 'eq', value: 100 }, ['ann']],
    ['computed: days since last order > 100', { type: 'computed', trait: 'days_since_last_order', op: 'gt', value: 100 }, ['dan']],
    ['computed: favourite categories contain shoes', { type: 'computed', trait: 'favourite_categories', op: 'contains', value: 'shoes' }, ['ann']],
    ['computed: discount share ≥ 0.5', { type: 'computed', trait: 'discount_share', op: 'gte', value: 0.5 }, ['ann']],
    ['computed: first touch source', { type: 'computed', trait: 'first_touch_source', op: 'eq', value: 'facebook' }, ['ann']],
    ['computed: last seen before a date', { type: 'computed', trait: 'last_seen', op: 'lt', value: '2024-04-01' }, ['cat', 'dan']],
    ['trait: plan = pro', { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' }, ['ann']],
    ['trait: age > 30 (number)', { type: 'trait', trait: 'age', op: 'gt', value: 30 }, ['ann']],
    ['trait: plan in [free, pro]', { type: 'trait', trait: 'plan', op: 'in', value: ['free', 'pro'] }, ['ann', 'ben']],
    ['trait: plan does not exist', { type: 'trait', trait: 'plan', op: 'not_exists' }, ['cat', 'dan']],
    ['event: viewed at least 3 times in 7 days', { type: 'event', event: 'Product Viewed', count: { op: 'at_least', value: 3 }, within_days: 7 }, ['ben']],
    ['event: did not order', { type: 'event', event: 'Order Completed', did: false }, ['ben', 'cat']],
    ['event: ordered at most once', { type: 'event', event: 'Order Completed', count: { op: 'at_most', value: 1 } }, ['ben', 'cat', 'dan']],
    ['event: ordered exactly twice', { type: 'event', event: 'Order Completed', count: { op: 'exactly', value: 2 } }, ['ann']],
    ['event: with a property filter', { type: 'event', event: 'Product Viewed', where: [{ property: 'category', op: 'eq', value: 'shoes' }] }, ['ann']],
    ['event: property value with quotes is data', { type: 'event', event: 'Product Viewed', where: [{ property: 'category', op: 'eq', value: "it's \"quoted\"" }] }, ['ben']],
    ['event: column filter (revenue > 30)', { type: 'event', event: 'Order Completed', where: [{ column: 'revenue', op: 'gt', value: 30 }] }, ['ann']],
    ['event: between dates', { type: 'event', event: 'Order Completed', between: { from: '2024-01-01', to: '2024-01-31' } }, ['dan']],
    ['funnel: added to cart but did not start checkout', {
      type: 'funnel', steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Checkout Started' }, { event: 'Order Completed' }], reached: 2, window_days: 1,
    }, ['ben']],
    ['funnel: checkout without order', {
      type: 'funnel', steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Checkout Started' }, { event: 'Order Completed' }], reached: 3, window_days: 1,
    }, ['cat']],
    ['funnel: same, only the last 30 days', {
      type: 'funnel', steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Checkout Started' }, { event: 'Order Completed' }], reached: 3, window_days: 1, within_days: 30,
    }, []],
    ['or / and / not', {
      type: 'or', conditions: [
        { type: 'and', conditions: [{ type: 'trait', trait: 'plan', op: 'eq', value: 'free' }, { type: 'not', condition: { type: 'event', event: 'Order Completed' } }] },
        { type: 'computed', trait: 'days_since_last_order', op: 'gt', value: 100 },
      ],
    }, ['ben', 'dan']],
    ['tag: lifecycle new', { type: 'tag', tag: 'lifecycle:new' }, ['ben']],
    ['tag: churned', { type: 'tag', tag: 'lifecycle:at_risk' }, ['dan']],
  ])('%s', async (_name, definition, expected) => {
    expect(await who(definition)).toEqual(expected);
  });
});

describe('built-in tags on the same dataset', () => {
  it.each<[string, string[]]>([
    ['lifecycle:new', ['ben']], // first seen ≤ 30 days, ≤ 1 order (ann has 2 orders → repeat buyer)
    ['lifecycle:repeat_buyer', ['ann']],
    ['lifecycle:active', ['cat']], // seen 92 days ago, no orders: not yet churned (180)
    ['lifecycle:at_risk', ['dan']], // last order 143 days ago
    ['discount_sensitive', ['ann']], // 2 orders, one with a coupon
    ['high_value', ['ann']], // top 10 % of buyers' revenue (200 vs 20)
    ['channel:facebook_ad', ['ann']],
    ['channel:direct', ['ben', 'cat', 'dan']],
    ['campaign:spring', ['ann']],
    ['rfm:hibernating', ['dan']], // 2 buyers: percent ranks 0 and 1 → dan R1 F1 M1, ann R5 F5 M5
    ['rfm:champions', ['ann']],
    ['rfm:score:555', ['ann']],
    ['rfm:score:111', ['dan']],
  ])('%s', async (tag, expected) => {
    expect(await who({ type: 'tag', tag })).toEqual(expected);
  });
});
