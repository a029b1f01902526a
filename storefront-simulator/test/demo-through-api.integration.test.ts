/**
 * The demo through the real all-in-one server (tracking API, durable queue, loader, chDB) on a real
 * port: every event the demo reports as sent is stored, once, and stored as the bulk writer would
 * store it (so bulk datasets look like API-fed ones).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_ROW_COLUMNS, type EventRow } from '@sextant/schemas';
import { loadConfig, startAllInOne, type RunningServer } from '@sextant/ingest-service';
import { generateMessages, runHttpDemo, toEventRow, type DemoResult } from '../src/index.js';
import { smallSimulation } from './fixtures/simulation.js';

const WRITE_KEY = 'demo_test_write_key_1234';
let server: RunningServer;
let dataDir: string;
let url: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'sextant-demo-test-'));
  const config = loadConfig({
    SEXTANT_DATA_DIR: dataDir,
    SEXTANT_WRITE_KEY: WRITE_KEY,
    SEXTANT_JWT_SECRET: 'demo-test-secret-that-is-at-least-32-characters',
    LOG_LEVEL: 'silent',
    SEXTANT_FLUSH_INTERVAL_MS: '60000',
  });
  server = await startAllInOne(config, { logger: pino({ level: 'silent' }), listen: false });
  url = await server.app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function query<T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await server.store!.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

describe('sextant demo through the tracking API', () => {
  const options = smallSimulation({ shoppers: 150 });
  let result: DemoResult;

  beforeAll(async () => {
    result = await runHttpDemo({
      ...options,
      host: url,
      writeKey: WRITE_KEY,
      sideDataStore: server.store!,
      sourceId: server.devSource!.id,
    });
    await server.flush();
  });

  it('stores every event it reports as sent, each once', async () => {
    expect(result.generated).toBeGreaterThan(1000);
    expect(result).toMatchObject({ sent: result.generated, rejected: 0, failed: 0 });
    const [stored] = await query<{ rows: string; ids: string }>('SELECT count() AS rows, uniqExact(message_id) AS ids FROM events WHERE source_id = {s:String}', { s: server.devSource!.id });
    expect(Number(stored!.rows)).toBe(result.sent);
    expect(Number(stored!.ids)).toBe(result.sent);
  });

  it('stores orders with their revenue, and the campaign of ad landings', async () => {
    const [orders] = await query<{ n: string; revenue: number }>("SELECT count() AS n, sum(revenue) AS revenue FROM events WHERE event = 'Order Completed'");
    const sent = generateMessages(options).filter((m) => m.event === 'Order Completed');
    expect(Number(orders!.n)).toBe(sent.length);
    expect(orders!.revenue).toBeCloseTo(sent.reduce((s, m) => s + (m.properties!.revenue as number), 0), 2);
    const [ads] = await query<{ n: string }>("SELECT count() AS n FROM events WHERE utm_medium = 'paid_social' AND fbclid != '' OR ttclid != ''");
    expect(Number(ads!.n)).toBeGreaterThan(0);
  });

  it('stores rows equal to what the bulk writer writes (times aside: the API corrects them with sentAt)', async () => {
    const messages = generateMessages(options);
    const byId = new Map(messages.map((m) => [m.messageId, m]));
    const columns = EVENT_ROW_COLUMNS.filter((c) => !['timestamp', 'original_timestamp', 'sent_at', 'received_at'].includes(c));
    const stored = await query<EventRow>(`SELECT ${columns.join(', ')} FROM events ORDER BY message_id LIMIT 400`);
    expect(stored.length).toBe(400);
    for (const row of stored) {
      const expected = toEventRow(byId.get(row.message_id)!, server.devSource!.id) as Record<string, unknown>;
      for (const c of columns) expect((row as Record<string, unknown>)[c], `${c} of ${row.message_id}`).toEqual(expected[c]);
    }
  });

  it('inserts the advertising side next to the events', async () => {
    expect(result.sideData.inserted).toEqual({ ad_spend: result.sideData.adSpendRows, exchange_rates: result.sideData.exchangeRateRows, affiliates: result.sideData.affiliateRows });
    const [spend] = await query<{ n: string; clicks: string }>('SELECT count() AS n, sum(clicks) AS clicks FROM ad_spend');
    expect(Number(spend!.n)).toBe(result.sideData.adSpendRows);
    expect(Number(spend!.clicks)).toBeGreaterThan(0);
  });
});
