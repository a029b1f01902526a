// Opens a copy of a benchmark dataset (a chDB data dir kept by `npm run bench:dataset` with
// BENCH_DATASET_OUT_DIR): copied with `cp -a` into `dataDir` (the original is never opened, so several
// benchmarks can use it), opened with the segment engine (which applies the migrations the copy lacks),
// then waited on until the background mutations those migrations start (materialized columns,
// projections) are done, so timed queries neither compete with them nor read unconverted parts. Also
// `settleBackgroundWork`, the same wait for merges and mutations before timed queries.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';

/**
 * Resolves with the open store and the milliseconds spent copying, migrating and waiting for mutations.
 * `reuse`: when `dataDir` already holds a complete copy (marker file written after the copy), it is opened
 * as it is (with whatever earlier runs wrote into it), to iterate without copying again.
 */
export async function openDatasetCopy({ dataset, dataDir, engine, log, reuse = false }) {
  if (!existsSync(dataset)) throw new Error(`--dataset-dir ${dataset} does not exist`);
  if (!existsSync(`${dataset}.json`)) log(`warning: ${dataset}.json is missing (is the dataset complete?)`);
  const since = (t) => performance.now() - t;
  let t = performance.now();
  const marker = `${dataDir}/.sextant-bench-copy-complete`;
  if (reuse && existsSync(marker)) {
    log(`reusing the copy in ${dataDir}`);
  } else {
    execFileSync('cp', ['-a', `${dataset}/.`, dataDir]);
    writeFileSync(marker, `${dataset}\n`);
    log(`copied ${dataset} to ${dataDir} in ${(since(t) / 1000).toFixed(1)} s`);
  }
  const copyMs = since(t);
  t = performance.now();
  const store = await engine.openEngineStore({ dataDir });
  const migrateMs = since(t);
  t = performance.now();
  for (;;) {
    const rs = await store.client.query({ query: 'SELECT count() AS n FROM system.mutations WHERE is_done = 0', format: 'JSONEachRow' });
    if (Number((await rs.json())[0].n) === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const mutationsMs = since(t);
  log(`opened (migrations ${(migrateMs / 1000).toFixed(1)} s, background mutations ${(mutationsMs / 1000).toFixed(1)} s)`);
  return { store, copyMs, migrateMs, mutationsMs };
}

/**
 * Waits (up to `timeoutMs`) until no merge runs and no mutation is pending: chDB runs them on the
 * benchmark process's threads, so timed queries started earlier would measure them too. Resolves with
 * whether that happened in time.
 */
export async function settleBackgroundWork(client, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  // Quiet for 3 s in a row: a process that just opened the data dir schedules its first merges after
  // a moment, so one empty check right away proves nothing.
  let quiet = 0;
  for (;;) {
    const rs = await client.query({ query: 'SELECT (SELECT count() FROM system.merges) + (SELECT count() FROM system.mutations WHERE is_done = 0) AS n', format: 'JSONEachRow' });
    quiet = Number((await rs.json())[0].n) === 0 ? quiet + 1 : 0;
    if (quiet >= 6) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}
