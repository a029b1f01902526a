#!/usr/bin/env node
// Dataset benchmark (`npm run bench:dataset`, after the build): builds a simulated storefront dataset
// in bulk mode (storefront-simulator: journeys → JSONCompactEachRow rows → chDB `store.insertRaw` in
// 100K-row inserts, plus the ad spend / exchange rate / affiliate tables) into a fresh temp data dir,
// in this process, then counts the stored rows to verify. Prints shoppers, events, seconds, events/s
// and peak RSS as a markdown table and the rows as JSON; `--json-out <file>` also writes the JSON there.
// Tunables (env): BENCH_DATASET_SHOPPERS (100000), BENCH_DATASET_DAYS (30), BENCH_DATASET_SEED (1),
// BENCH_DATASET_BATCH_ROWS (100000), BENCH_DATASET_OUT_DIR (build into this directory and keep it, so the
// segments and analytics benches can reuse it with --dataset-dir; default: a temp dir, deleted).
// BENCH_DATASET_RETURN_VISIT (the simulator's default 0.5: the chance a session without a purchase is
// followed by another visit; more visits, more events per shopper).
// The issues' scale, 1M shoppers / ~20M events: BENCH_DATASET_SHOPPERS=1000000 BENCH_DATASET_DAYS=47
// BENCH_DATASET_RETURN_VISIT=0.71 (the default 0.5 gives ~13.5M events).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBulkStore, runBulkBuild } from '../storefront-simulator/dist/index.js';
import { machineInfo, machineLine, markdownTable } from './report-table.mjs';

const SHOPPERS = Number(process.env.BENCH_DATASET_SHOPPERS ?? 100_000);
const DAYS = Number(process.env.BENCH_DATASET_DAYS ?? 30);
const SEED = Number(process.env.BENCH_DATASET_SEED ?? 1);
const BATCH_ROWS = Number(process.env.BENCH_DATASET_BATCH_ROWS ?? 100_000);
const OUT_DIR = process.env.BENCH_DATASET_OUT_DIR;
const RETURN_VISIT = process.env.BENCH_DATASET_RETURN_VISIT ? Number(process.env.BENCH_DATASET_RETURN_VISIT) : undefined;
// A fixed window end: the same dataset on every run.
const END_MS = Date.UTC(2025, 5, 1);

export const COLUMNS = [
  ['scenario', 'scenario'],
  ['shoppers', 'shoppers'],
  ['events', 'events'],
  ['seconds', 's'],
  ['eventsPerS', 'events/s'],
  ['shoppersPerS', 'shoppers/s'],
  ['cpuSeconds', 'CPU s'],
  ['peakRssMiB', 'peak RSS MiB'],
  ['storage', 'stored vs generated'],
];

const round1 = (x) => Math.round(x * 10) / 10;
const startedAt = Date.now();
const stamp = () => `[${((Date.now() - startedAt) / 1000).toFixed(1)} s]`;

export async function runDatasetBench({ log = (line) => process.stderr.write(`${stamp()} ${line}\n`) } = {}) {
  const machine = machineInfo();
  log(`dataset bench on ${machineLine(machine)}: ${SHOPPERS.toLocaleString('en-US')} shoppers × ${DAYS} days, seed ${SEED}`);
  if (OUT_DIR && existsSync(OUT_DIR) && readdirSync(OUT_DIR).length > 0) throw new Error(`BENCH_DATASET_OUT_DIR ${OUT_DIR} is not empty`);
  const dataDir = OUT_DIR ? (mkdirSync(OUT_DIR, { recursive: true }), OUT_DIR) : mkdtempSync(path.join(tmpdir(), 'sextant-dataset-bench-'));
  const store = await openBulkStore({ dataDir });
  let result;
  let stored;
  let side;
  const cpuBefore = process.cpuUsage();
  try {
    const config = RETURN_VISIT === undefined ? undefined : { returnVisit: RETURN_VISIT };
    result = await runBulkBuild({ store, seed: SEED, shoppers: SHOPPERS, days: DAYS, endMs: END_MS, batchRows: BATCH_ROWS, progress: true, ...(config ? { config } : {}) });
    const cpu = process.cpuUsage(cpuBefore);
    result.cpuSeconds = (cpu.user + cpu.system) / 1e6;
    log(`built: ${result.events.toLocaleString('en-US')} events in ${result.seconds.toFixed(1)} s; counting ...`);
    const rs = await store.client.query({ query: 'SELECT count() AS rows, uniqExact(message_id) AS ids FROM events', format: 'JSONEachRow' });
    const [row] = await rs.json();
    stored = { rows: Number(row.rows), ids: Number(row.ids) };
    side = result.sideData;
  } finally {
    await store.close();
    if (!OUT_DIR) rmSync(dataDir, { recursive: true, force: true });
  }
  // maxRSS is in KiB: the peak of this process, chDB's memory included.
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const verification = { generated: result.events, storedRows: stored.rows, storedDistinct: stored.ids, sideData: side };
  const rows = [
    {
      benchmark: 'dataset',
      scenario: `bulk build, ${DAYS} days${RETURN_VISIT === undefined ? '' : `, returnVisit ${RETURN_VISIT}`}, ${BATCH_ROWS.toLocaleString('en-US')}-row inserts`,
      shoppers: result.shoppers,
      events: result.events,
      seconds: round1(result.seconds),
      eventsPerS: Math.round(result.events / result.seconds),
      shoppersPerS: Math.round(result.shoppers / result.seconds),
      cpuSeconds: round1(result.cpuSeconds),
      peakRssMiB,
      storage: `${stored.ids.toLocaleString('en-US')} / ${result.events.toLocaleString('en-US')}`,
    },
  ];
  const notes = [
    `Machine: ${machineLine(machine)}. One process: the generator and JSON serialisation on the main thread, chDB parsing and merging on its own threads.`,
    `Rows are what the tracking API stores for the same messages (the integration test checks equality); ~1.6 KB each as JSONCompactEachRow (properties and context JSON).`,
    `Also inserted: ${Object.entries(side).map(([t, c]) => `${t} ${c.toLocaleString('en-US')} rows`).join(', ')}.`,
    `Larger datasets: BENCH_DATASET_SHOPPERS=1000000 npm run bench:dataset.`,
  ];
  const markdown = [`### Dataset build (bulk mode)`, '', markdownTable(COLUMNS, rows), '', ...notes.map((n) => `- ${n}`)].join('\n');
  const ok = stored.rows === result.events && stored.ids === result.events;
  // Next to a kept dataset, what it holds and how it was built: the benches that copy it check for this
  // file (a dataset dir without it was left by an interrupted build).
  if (OUT_DIR && ok) writeFileSync(`${path.resolve(OUT_DIR)}.json`, `${JSON.stringify({ builtAt: new Date().toISOString(), seed: SEED, shoppers: SHOPPERS, days: DAYS, returnVisit: RETURN_VISIT ?? null, rows, verification, machine }, null, 2)}\n`);
  return { benchmark: 'dataset', machine, rows, verification, markdown, ok };
}

const isMain = Boolean(process.argv[1]) && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
if (isMain) {
  const jsonOutAt = process.argv.indexOf('--json-out');
  const jsonOut = jsonOutAt > 0 ? process.argv[jsonOutAt + 1] : undefined;
  try {
    const result = await runDatasetBench();
    process.stdout.write(`\n${result.markdown}\n\n`);
    process.stdout.write(`${JSON.stringify({ benchmark: result.benchmark, machine: result.machine, rows: result.rows, verification: result.verification })}\n`);
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2));
    if (!result.ok) {
      process.stderr.write('dataset bench: stored rows differ from generated events (see verification)\n');
      process.exitCode = 1;
    }
  } catch (err) {
    process.stderr.write(`dataset bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
