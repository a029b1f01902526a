/**
 * Bulk mode into a fresh chDB data dir: the events of the simulation land in `events` in several
 * inserts, the advertising side in its tables, and its CSV files import back (replacing, not adding).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@sextant/store';
import { createWorld, generateJourneys, importSideDataCsv, openBulkStore, runBulkBuild, writeSideDataCsv, buildSideData, AdVisitCounter, type BulkBuildResult } from '../src/index.js';
import { smallSimulation } from './fixtures/simulation.js';

let dataDir: string;
let store: Store;
const options = smallSimulation({ shoppers: 300, seed: 11 });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'sextant-bulk-test-'));
  store = await openBulkStore({ dataDir });
});

afterAll(async () => {
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function count(sql: string): Promise<number> {
  const rs = await store.client.query({ query: sql, format: 'JSONEachRow' });
  return Number(((await rs.json<{ n: string }>())[0] ?? { n: 0 }).n);
}

describe('bulk mode', () => {
  let result: BulkBuildResult;
  beforeAll(async () => {
    result = await runBulkBuild({ ...options, store, batchRows: 1_000 });
  });

  it('inserts every generated event, once, for the development source', async () => {
    const world = createWorld(options);
    let generated = 0;
    for (const j of generateJourneys(world)) generated += j.messages.length;
    expect(result).toMatchObject({ shoppers: 300, events: generated, sourceId: 'src_dev' });
    expect(generated).toBeGreaterThan(3_000); // so several 1,000-row inserts
    expect(await count("SELECT count() AS n FROM events WHERE source_id = 'src_dev'")).toBe(generated);
    expect(await count('SELECT uniqExact(message_id) AS n FROM events')).toBe(generated);
    expect(await count("SELECT count() AS n FROM sources WHERE id = 'src_dev'")).toBe(1);
  });

  it('inserts the advertising side', async () => {
    expect(await count('SELECT count() AS n FROM ad_spend')).toBe(result.sideData.ad_spend);
    expect(await count('SELECT count() AS n FROM exchange_rates')).toBe(result.sideData.exchange_rates);
    expect(await count('SELECT count() AS n FROM affiliates')).toBe(result.sideData.affiliates);
    expect(result.sideData.ad_spend).toBeGreaterThan(100);
  });

  it('imports the CSV files, replacing the days and affiliates they cover', async () => {
    const world = createWorld(options);
    const counter = new AdVisitCounter(world);
    for (const j of generateJourneys(world)) counter.add(j);
    const csvDir = path.join(dataDir, 'csv');
    writeSideDataCsv(csvDir, buildSideData(world, counter));
    const before = await count('SELECT count() AS n FROM ad_spend');
    const imported = await importSideDataCsv(store, csvDir, 'src_dev');
    expect(imported).toEqual(result.sideData);
    expect(await count('SELECT count() AS n FROM ad_spend')).toBe(before);
    expect(await count('SELECT count() AS n FROM affiliates')).toBe(result.sideData.affiliates);
    // Another source's spend is its own.
    await importSideDataCsv(store, csvDir, 'src_other');
    expect(await count('SELECT count() AS n FROM ad_spend')).toBe(2 * before);
  });
});
