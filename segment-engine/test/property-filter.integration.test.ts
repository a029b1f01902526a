import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegment, matchingPersonsSql } from '../src/dsl/compile-segment.js';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

// String property filters look for `"value"` in the raw JSON text before parsing it (compare-sql's
// withTextPrefilter). The answer must stay exactly that of the parse, whatever the writer's escaping.

let db: EngineStore;
const NOW = new Date('2024-06-01T00:00:00Z');

beforeAll(async () => {
  db = await startEngineStore();
  await db.insertEvents([
    { anonymous_id: 'plain', event: 'Product Viewed', timestamp: '2024-05-30 10:00:00', properties: { category: 'Footwear' } },
    { anonymous_id: 'other', event: 'Product Viewed', timestamp: '2024-05-30 10:00:00', properties: { category: 'Home', name: 'Footwear rack' } },
    { anonymous_id: 'nested', event: 'Product Viewed', timestamp: '2024-05-30 10:00:00', properties: { category: 'Home', note: 'Footwear' } },
    { anonymous_id: 'slash', event: 'Product Viewed', timestamp: '2024-05-30 10:00:00', properties: { category: 'A/B' } },
    { anonymous_id: 'quote', event: 'Product Viewed', timestamp: '2024-05-30 10:00:00', properties: { category: 'say "hi"' } },
    { anonymous_id: 'none', event: 'Product Viewed', timestamp: '2024-05-30 10:00:00', properties: {} },
  ]);
  // A writer that escapes letters (`w` as \u0077) and `/` (as \/): valid JSON, the same values.
  await db.store.client.command({
    query: `INSERT INTO events (source_id, message_id, type, event, anonymous_id, timestamp, received_at, properties) VALUES
      ('src', 'esc-1', 'track', 'Product Viewed', 'escaped', '2024-05-30 10:00:00', '2024-05-30 10:00:00', {p1:String}),
      ('src', 'esc-2', 'track', 'Product Viewed', 'escaped-slash', '2024-05-30 10:00:00', '2024-05-30 10:00:00', {p2:String})`,
    query_params: { p1: '{"category":"Foot\\u0077ear"}', p2: '{"category":"A\\/B"}' },
  });
  await refreshEngine(db.store.client, db.store, {}, NOW);
});
afterAll(async () => db?.stop());

async function who(where: unknown): Promise<string[]> {
  const compiled = compileSegment({ type: 'event', event: 'Product Viewed', where: [where] }, { now: NOW });
  const rows = await db.query<{ id: string }>(
    `SELECT arraySort(groupArray(identifier)) AS ids FROM (
       SELECT concat('a:', anonymous_id) AS identifier FROM events WHERE cityHash64(concat('a:', anonymous_id)) IN (${matchingPersonsSql(compiled)}))`,
    compiled.params,
  );
  return (rows[0] as unknown as { ids: string[] }).ids.map((x) => x.slice(2));
}

describe('string property filters', () => {
  it('eq matches the parsed value only, \\u-escaped text included', async () => {
    expect(await who({ property: 'category', op: 'eq', value: 'Footwear' })).toEqual(['escaped', 'plain']);
  });
  it('in does the same for several values', async () => {
    expect(await who({ property: 'category', op: 'in', value: ['Footwear', 'Home'] })).toEqual(['escaped', 'nested', 'other', 'plain']);
  });
  it('values JSON may escape (/ and ") are compared by the parse alone', async () => {
    expect(await who({ property: 'category', op: 'eq', value: 'A/B' })).toEqual(['escaped-slash', 'slash']);
    expect(await who({ property: 'category', op: 'eq', value: 'say "hi"' })).toEqual(['quote']);
  });
  it('eq "" still matches events without the property', async () => {
    expect(await who({ property: 'category', op: 'eq', value: '' })).toEqual(['none']);
  });
});
