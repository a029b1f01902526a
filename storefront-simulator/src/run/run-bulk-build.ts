/**
 * Bulk mode: the same journeys written straight into ClickHouse (`events` in 100K-row inserts, the
 * advertising side into its tables), to build benchmark datasets of a million shoppers in minutes.
 * It bypasses the API (no queue, no dedup): the data dir must not be open in a running server, and
 * building the same seed and window twice stores the events twice.
 */
import { randomBytes } from 'node:crypto';
import { formatClickHouseDateTime64, migrations } from '@sextant/schemas';
import { createStore, runMigrations, StoreError, type Store } from '@sextant/store';
import { insertSideData } from '../csv/import-side-table.js';
import { createWorld, generateJourneys, type JourneyOptions } from '../journeys/generate-journeys.js';
import { createBulkWriter } from '../senders/bulk-writer.js';
import { createProgress } from './progress.js';
import { AdVisitCounter, buildSideData } from './side-data.js';

export interface BulkBuildOptions extends JourneyOptions {
  store: Store;
  /** The source the events belong to: the one with this write key, else the development source. */
  writeKey?: string;
  batchRows?: number;
  progress?: boolean;
}

export interface BulkBuildResult {
  shoppers: number;
  events: number;
  sourceId: string;
  seconds: number;
  eventsPerSecond: number;
  window: { start: string; end: string };
  sideData: Record<string, number>;
}

export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';
  constructor(dataDir: string) {
    super(
      `data dir ${dataDir} is in use by another process (is \`sextant start\` running on it?). Bulk mode writes to ClickHouse directly: stop the server first, point --data-dir elsewhere, or send through the API without --bulk.`,
    );
    this.name = 'DataDirInUseError';
  }
}

/** Opens the store for bulk mode (chDB under `dataDir`, or a server) and applies the migrations. */
export async function openBulkStore(options: { dataDir: string; clickhouseUrl?: string | undefined }): Promise<Store> {
  let store: Store;
  try {
    store = await createStore({ dataDir: options.dataDir, clickhouseUrl: options.clickhouseUrl });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'DATA_DIR_IN_USE') throw new DataDirInUseError(options.dataDir);
    throw err;
  }
  await runMigrations(store.client, migrations);
  return store;
}

/** The source id for `writeKey`; without one, the development source (created as the server would). */
export async function resolveSourceId(store: Pick<Store, 'client'>, writeKey: string | undefined): Promise<string> {
  const rs = await store.client.query({
    query: writeKey ? 'SELECT id FROM sources WHERE write_key = {writeKey:String} LIMIT 1' : "SELECT id FROM sources WHERE id = 'src_dev' LIMIT 1",
    query_params: { writeKey: writeKey ?? '' },
    format: 'JSONEachRow',
  });
  const found = (await rs.json<{ id: string }>())[0];
  if (found) return found.id;
  const id = writeKey ? `src_${randomBytes(8).toString('hex')}` : 'src_dev';
  await store.client.insert({
    table: 'sources',
    values: [{ id, name: writeKey ? 'Simulated storefront' : 'Development', write_key: writeKey ?? `wk_${randomBytes(24).toString('base64url')}`, created_at: formatClickHouseDateTime64(Date.now()) }],
    format: 'JSONEachRow',
  });
  return id;
}

export async function runBulkBuild(options: BulkBuildOptions): Promise<BulkBuildResult> {
  const started = Date.now();
  const world = createWorld(options);
  const sourceId = await resolveSourceId(options.store, options.writeKey);
  const counter = new AdVisitCounter(world);
  const progress = createProgress({ total: world.shopperCount, label: 'bulk', enabled: options.progress ?? false });
  let events = 0;
  let shoppers = 0;
  const writer = createBulkWriter({
    store: options.store,
    sourceId,
    ...(options.batchRows ? { batchRows: options.batchRows } : {}),
    onInsert: (inserted) => progress.update(shoppers, { events: inserted, rate: inserted / Math.max(0.001, (Date.now() - started) / 1000) }),
  });
  try {
    for (const journey of generateJourneys(world)) {
      counter.add(journey);
      for (const m of journey.messages) await writer.write(m);
      events += journey.messages.length;
      shoppers += 1;
    }
    await writer.close();
    progress.update(shoppers, { events, rate: events / Math.max(0.001, (Date.now() - started) / 1000) });
  } finally {
    progress.stop();
  }
  const sideData = await insertSideData(options.store, buildSideData(world, counter), sourceId);
  const seconds = (Date.now() - started) / 1000;
  return {
    shoppers,
    events,
    sourceId,
    seconds,
    eventsPerSecond: Math.round(events / seconds),
    window: { start: new Date(world.startMs).toISOString(), end: new Date(world.endMs).toISOString() },
    sideData,
  };
}
