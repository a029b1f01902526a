#!/usr/bin/env node
// Ingest benchmark (`npm run bench:ingest`, after the build). Three processes: this one (orchestrates
// and verifies), the server (`sextant start` on a fresh temp data dir) and a load worker (autocannon),
// so generating load never shares the server's process.
//   (a) /v1/batch, 100 events per request, enough connections to saturate → events/s, p50/p99;
//       then, once the queue drained, how many events were stored vs acknowledged.
//   (b) /v1/track at a fixed 1,000 requests/s → p50/p99 and errors.
// Prints a markdown table and the rows as JSON; `--json-out <file>` also writes the JSON there.
// Tunables (env): BENCH_DURATION_S (15), BENCH_BATCH_CONNECTIONS (32), BENCH_TRACK_RATE (1000),
// BENCH_TRACK_CONNECTIONS (20).
import { spawn } from 'node:child_process';
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { machineInfo, machineLine, markdownTable } from './report-table.mjs';
import { readMetrics, startServer, waitForQueueDrained } from './server-child.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const BATCH_SIZE = 100;
const BATCH_CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 32);
const TRACK_RATE = Number(process.env.BENCH_TRACK_RATE ?? 1000);
const TRACK_CONNECTIONS = Number(process.env.BENCH_TRACK_CONNECTIONS ?? 20);
const WORKER = fileURLToPath(new URL('./load-worker.mjs', import.meta.url));

export const COLUMNS = [
  ['scenario', 'scenario'],
  ['connections', 'conns'],
  ['durationS', 's'],
  ['requestsPerS', '2xx req/s'],
  ['eventsPerS', 'events/s'],
  ['p50Ms', 'p50 ms'],
  ['p99Ms', 'p99 ms'],
  ['non2xx', 'non-2xx'],
  ['errors', 'errors'],
  ['storage', 'stored vs acknowledged'],
];

/** Runs the load worker as a child process and returns its JSON line (bounded wait). */
export function runWorker(options) {
  const timeoutMs = options.durationS * 1000 + 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    // If the benchmark itself dies, do not leave the load running.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`load worker exited ${code ?? signal}: ${out}`));
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`load worker printed no JSON: ${out}`));
      }
    });
  });
}

/** Rows and distinct messageIds per id prefix, read from the data dir with chDB (server stopped). */
export async function countStored(dataDir) {
  const connection = createChdbConnection({ path: `${dataDir}/clickhouse` });
  const client = createClient({ connection });
  try {
    const rs = await client.query({
      query: `SELECT splitByChar('-', message_id)[1] AS prefix, count() AS rows, uniqExact(message_id) AS ids
              FROM events GROUP BY prefix`,
      format: 'JSONEachRow',
    });
    const byPrefix = new Map();
    for (const r of await rs.json()) byPrefix.set(r.prefix, { rows: Number(r.rows), ids: Number(r.ids) });
    return byPrefix;
  } finally {
    await client.close();
  }
}

const mib = (bytes) => (bytes === undefined ? undefined : Math.round(bytes / 1024 / 1024));
const round1 = (x) => Math.round(x * 10) / 10;

const startedAt = Date.now();
const stamp = () => `[${((Date.now() - startedAt) / 1000).toFixed(1)} s]`;

export async function runIngestBench({ log = (line) => process.stderr.write(`${stamp()} ${line}\n`) } = {}) {
  const machine = machineInfo();
  const runId = Date.now().toString(36);
  const batchPrefix = `benchbatch_${runId}`;
  const trackPrefix = `benchtrack_${runId}`;
  log(`ingest bench on ${machineLine(machine)}`);
  const server = await startServer();
  log(`server pid ${server.pid} at ${server.url}, data dir ${server.dataDir}`);
  let batch;
  let track;
  const serverFigures = {};
  let exit;
  try {
    log(`(a) /v1/batch × ${BATCH_SIZE} events, ${BATCH_CONNECTIONS} connections, ${DURATION_S} s ...`);
    batch = await runWorker({
      scenario: 'batch',
      url: server.url,
      writeKey: server.writeKey,
      connections: BATCH_CONNECTIONS,
      durationS: DURATION_S,
      eventsPerRequest: BATCH_SIZE,
      idPrefix: batchPrefix,
    });
    serverFigures.batchRssMiB = mib((await readMetrics(server.url)).get('sextant_process_resident_memory_bytes'));
    serverFigures.batchDrainMs = await waitForQueueDrained(server.url, 120_000);
    const afterBatch = await readMetrics(server.url);
    serverFigures.batchAccepted = afterBatch.get('sextant_events_accepted_total{type="track"}');
    log(`(a) done: ${batch.ok2xx} × 2xx; queue drained ${serverFigures.batchDrainMs} ms after`);

    log(`(b) /v1/track at ${TRACK_RATE} req/s, ${TRACK_CONNECTIONS} connections, ${DURATION_S} s ...`);
    track = await runWorker({
      scenario: 'track',
      paced: true,
      url: server.url,
      writeKey: server.writeKey,
      connections: TRACK_CONNECTIONS,
      durationS: DURATION_S,
      overallRate: TRACK_RATE,
      idPrefix: trackPrefix,
    });
    serverFigures.trackRssMiB = mib((await readMetrics(server.url)).get('sextant_process_resident_memory_bytes'));
    serverFigures.trackDrainMs = await waitForQueueDrained(server.url, 60_000);
    log(`(b) done: ${track.ok2xx} × 2xx`);
  } finally {
    log('stopping the server (it loads what its queue still holds) ...');
    exit = await server.stop(60_000);
  }
  log(`server exited ${JSON.stringify(exit)}; counting stored events with chDB ...`);

  let stored;
  try {
    stored = await countStored(server.dataDir);
  } finally {
    server.removeDataDir();
  }
  const storedBatch = stored.get(batchPrefix) ?? { rows: 0, ids: 0 };
  const storedTrack = stored.get(trackPrefix) ?? { rows: 0, ids: 0 };
  const ackedBatchEvents = batch.ok2xx * BATCH_SIZE;
  const ackedTrackEvents = track.ok2xx;

  const verification = {
    batch: {
      acknowledgedEvents: ackedBatchEvents,
      acceptedByServer: serverFigures.batchAccepted,
      storedRows: storedBatch.rows,
      storedDistinct: storedBatch.ids,
      duplicates: storedBatch.rows - storedBatch.ids,
      lost: Math.max(0, ackedBatchEvents - storedBatch.ids),
      // Requests still in flight when the load stopped are stored but never acknowledged.
      storedNotAcknowledged: Math.max(0, storedBatch.ids - ackedBatchEvents),
    },
    track: {
      acknowledgedEvents: ackedTrackEvents,
      storedRows: storedTrack.rows,
      storedDistinct: storedTrack.ids,
      duplicates: storedTrack.rows - storedTrack.ids,
      lost: Math.max(0, ackedTrackEvents - storedTrack.ids),
    },
    serverExit: exit,
    server: serverFigures,
  };

  const storage = (v) => `${v.storedDistinct.toLocaleString('en-US')} / ${v.acknowledgedEvents.toLocaleString('en-US')}${v.lost ? ` (${v.lost} LOST)` : ''}${v.duplicates ? ` (${v.duplicates} dup)` : ''}`;
  const rows = [
    {
      benchmark: 'ingest',
      scenario: `/v1/batch, ${BATCH_SIZE} events/request, max rate`,
      connections: batch.connections,
      durationS: batch.durationS,
      requestsPerS: round1(batch.ok2xx / batch.durationS),
      eventsPerS: Math.round((batch.ok2xx * BATCH_SIZE) / batch.durationS),
      p50Ms: batch.latencyMs.p50,
      p99Ms: batch.latencyMs.p99,
      non2xx: batch.non2xx,
      errors: batch.errors,
      storage: storage(verification.batch),
      statusCounts: batch.statusCounts,
    },
    {
      benchmark: 'ingest',
      scenario: `/v1/track, fixed ${TRACK_RATE.toLocaleString('en-US')} req/s, evenly paced`,
      connections: track.connections,
      durationS: track.durationS,
      requestsPerS: round1(track.ok2xx / track.durationS),
      eventsPerS: Math.round(track.ok2xx / track.durationS),
      p50Ms: track.latencyMs.p50,
      p99Ms: track.latencyMs.p99,
      non2xx: track.non2xx,
      errors: track.errors,
      storage: storage(verification.track),
      statusCounts: track.statusCounts,
    },
  ];

  const notes = [
    `Machine: ${machineLine(machine)}. Server, load worker and this script share it.`,
    `Latency: max rate: autocannon, 2xx responses only, from request written to response read. Fixed rate: requests spread evenly (one every ${1000 / TRACK_RATE} ms, up to ${TRACK_CONNECTIONS} keep-alive connections), latency counted from when each request was due.`,
    `Stored vs acknowledged: distinct messageIds in ClickHouse (read with chDB after the server stopped) / events in 2xx answers. Stored can exceed acknowledged by requests in flight when the load stopped.`,
    `Answers: /v1/batch ${JSON.stringify(batch.statusCounts)}, /v1/track ${JSON.stringify(track.statusCounts)} (503 = QUEUE_FULL back-pressure: the loader fell behind and the queue reached SEXTANT_QUEUE_MAX_BYTES).`,
    `/v1/batch: server accepted ${serverFigures.batchAccepted?.toLocaleString('en-US')} events, queue drained ${serverFigures.batchDrainMs} ms after the load; server RSS ${serverFigures.batchRssMiB} MiB after (a), ${serverFigures.trackRssMiB} MiB after (b).`,
  ];
  const markdown = [`### Ingest`, '', markdownTable(COLUMNS, rows), '', ...notes.map((n) => `- ${n}`)].join('\n');
  const ok = verification.batch.lost === 0 && verification.batch.duplicates === 0 && verification.track.lost === 0 && verification.track.duplicates === 0;
  return { benchmark: 'ingest', machine, rows, verification, raw: { batch, track }, markdown, ok };
}

const isMain = Boolean(process.argv[1]) && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
if (isMain) {
  const jsonOutAt = process.argv.indexOf('--json-out');
  const jsonOut = jsonOutAt > 0 ? process.argv[jsonOutAt + 1] : undefined;
  try {
    const result = await runIngestBench();
    process.stdout.write(`\n${result.markdown}\n\n`);
    process.stdout.write(`${JSON.stringify({ benchmark: result.benchmark, machine: result.machine, rows: result.rows, verification: result.verification })}\n`);
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2));
    if (!result.ok) {
      process.stderr.write('ingest bench: acknowledged events were lost or duplicated (see verification)\n');
      process.exitCode = 1;
    }
  } catch (err) {
    process.stderr.write(`ingest bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
