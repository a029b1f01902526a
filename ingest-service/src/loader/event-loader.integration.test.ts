import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventRowValues, migrations, type EventRow } from '@sextant/schemas';
import { createStore, runMigrations, type Store } from '@sextant/store';
import { createEventLoader } from './event-loader.js';
import { createFileDeadLetterSink } from './dead-letter.js';
import { RecentIds } from './recent-ids.js';
import { SuppressionList } from './suppression-list.js';
import { createIngestMetrics } from '../metrics/ingest-metrics.js';
import type { QueuedEvent } from '../queue/event-queue.js';

let store: Store;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'loader-'));
  store = await createStore({ dataDir: dir });
  await runMigrations(store.client, migrations);
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function event(id: string, overrides: Record<string, unknown> = {}): QueuedEvent {
  const row = {
    source_id: 'src_test', message_id: id, type: 'track', event: 'E', name: '', anonymous_id: '', user_id: 'loader-user',
    group_id: '', previous_id: '', timestamp: '2026-11-01 10:00:00.000', original_timestamp: null, sent_at: null,
    received_at: '2026-11-01 10:00:00.000', ip: '', user_agent: '', browser: '', browser_version: '', os: '', os_version: '',
    device_type: 'unknown', is_bot: false, page_url: '', page_path: '', page_referrer: '', utm_source: '', utm_medium: '',
    utm_campaign: '', utm_term: '', utm_content: '', fbclid: '', gclid: '', ttclid: '', msclkid: '', order_id: '', revenue: null,
    currency: '', product_ids: [], properties: '{}', traits: '{}', context: '{}', ...overrides,
  };
  return { dedupKey: `src_test:${id}`, partitionKey: 'loader-user', row: Buffer.from(JSON.stringify(eventRowValues(row as EventRow)) + '\n') };
}

async function storedIds(): Promise<string[]> {
  const rs = await store.client.query({ query: "SELECT message_id FROM events WHERE user_id = 'loader-user' ORDER BY message_id", format: 'JSONEachRow' });
  return (await rs.json<{ message_id: string }>()).map((r) => r.message_id);
}

describe('event loader', () => {
  it('isolates rows ClickHouse refuses into the dead-letter file and stores all the others', async () => {
    const deadFile = path.join(dir, 'dead.ndjson');
    const metrics = createIngestMetrics();
    const load = createEventLoader({
      store, recentIds: new RecentIds(1000), metrics, logger: pino({ level: 'silent' }),
      deadLetter: createFileDeadLetterSink(deadFile),
    });
    const batch = Array.from({ length: 20 }, (_, i) => event(`m${String(i).padStart(2, '0')}`));
    batch[7] = event('m07', { timestamp: 'not a time at all' });
    batch[13] = { ...event('m13'), row: Buffer.from('["src_test", "m13", \n') };
    await load(batch);
    const expected = batch.map((_, i) => `m${String(i).padStart(2, '0')}`).filter((id) => id !== 'm07' && id !== 'm13');
    expect(await storedIds()).toEqual(expected);
    const dead = readFileSync(deadFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { dedupKey: string; reason: string });
    expect(dead.map((d) => d.dedupKey).sort()).toEqual(['src_test:m07', 'src_test:m13']);
    expect(dead[0]!.reason).toMatch(/clickhouse rejected the row/);
    expect(await metrics.registry.getSingleMetricAsString('sextant_dead_letter_total')).toContain('sextant_dead_letter_total{reason="clickhouse_rejected"} 2');
  });

  it('stores a re-sent batch once, even when the recent-ids filter has forgotten it (dedup token)', async () => {
    const make = () => createEventLoader({
      store, recentIds: new RecentIds(1000), metrics: createIngestMetrics(), logger: pino({ level: 'silent' }),
      deadLetter: createFileDeadLetterSink(path.join(dir, 'dead2.ndjson')),
    });
    const batch = [event('t1'), event('t2'), event('t3')];
    await make()(batch);
    await make()(batch); // a new loader: empty filter, same content → same token
    const rs = await store.client.query({ query: "SELECT count() AS n FROM events WHERE message_id IN ('t1','t2','t3')", format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: number }>())[0]!.n)).toBe(3);
  });

  it('a failed insert releases its keys: the retried batch is stored, repeats inside it once, a corrected dead-lettered event later', async () => {
    let failNext = true;
    const flaky: Store = {
      ...store,
      insertRaw: async (insert) => {
        if (failNext) {
          failNext = false;
          throw new Error('connection reset'); // not a data error: the whole batch fails
        }
        return store.insertRaw(insert);
      },
    };
    const load = createEventLoader({
      store: flaky, recentIds: new RecentIds(1000), metrics: createIngestMetrics(), logger: pino({ level: 'silent' }),
      deadLetter: createFileDeadLetterSink(path.join(dir, 'dead3.ndjson')),
    });
    const batch = [event('r1'), event('r2'), event('r1'), event('r3', { timestamp: 'bad' })];
    await expect(load(batch)).rejects.toThrow(/connection reset/);
    await load(batch);
    await load([event('r3')]); // the corrected resend of the dead-lettered event
    const rs = await store.client.query({
      query: "SELECT message_id, count() AS n FROM events WHERE message_id IN ('r1','r2','r3') GROUP BY message_id ORDER BY message_id",
      format: 'JSONEachRow',
    });
    expect((await rs.json<{ message_id: string; n: number }>()).map((r) => [r.message_id, Number(r.n)])).toEqual([['r1', 1], ['r2', 1], ['r3', 1]]);
  });

  it('drops events of deleted (suppressed) shoppers, by userId or anonymousId, and stores the rest', async () => {
    const suppression = new SuppressionList(store.client, 0); // re-read before every batch
    const metrics = createIngestMetrics();
    const load = createEventLoader({
      store, recentIds: new RecentIds(1000), metrics, logger: pino({ level: 'silent' }),
      deadLetter: createFileDeadLetterSink(path.join(dir, 'dead4.ndjson')), suppression,
    });
    const keyed = (id: string, partitionKey: string) => ({ ...event(id), partitionKey });
    await load([keyed('s1', 'gone-user'), keyed('s2', 'kept-user')]);
    await store.client.insert({
      table: 'suppressed_identifiers',
      values: [{ identifier: 'u:gone-user', person_id: 1 }, { identifier: 'a:gone-anon', person_id: 1 }, { identifier: 'e:gone@example.com', person_id: 1 }],
      format: 'JSONEachRow',
    });
    await load([keyed('s3', 'gone-user'), keyed('s4', 'gone-anon'), keyed('s5', 'kept-user'), keyed('s6', 'gone@example.com')]);
    const rs = await store.client.query({ query: "SELECT message_id FROM events WHERE message_id IN ('s1','s2','s3','s4','s5','s6') ORDER BY message_id", format: 'JSONEachRow' });
    // s1 was stored before the deletion (the refresh job purges it); s6's key is an email, which the loader does not match.
    expect((await rs.json<{ message_id: string }>()).map((r) => r.message_id)).toEqual(['s1', 's2', 's5', 's6']);
    expect(await metrics.registry.getSingleMetricAsString('sextant_events_suppressed_total')).toContain('sextant_events_suppressed_total 2');
  });
});
