#!/usr/bin/env node
// Kafka benchmark (`npm run bench:kafka`, after the build): HTTP → Kafka → loader → ClickHouse, end to
// end, with everything on this machine. Processes: this one (orchestrates, samples, verifies), a dev
// Kafka broker (JVM, @sextant/infra), the loader role (`sextant loader`, chDB in its own temp data dir),
// the ingest role (`sextant ingest`) and the load worker (autocannon).
//   1. /v1/batch, 100 events per request, max rate for BENCH_DURATION_S on the ingest role; meanwhile
//      the loader's /metrics is sampled every second (consumer lag summed over partitions, stored).
//   2. After the load, wait (bounded) until the loader caught up: stored ≥ acknowledged and lag 0.
//   3. SIGTERM the roles, count rows and distinct messageIds in the loader's chDB, stop the broker.
// Figures: acknowledged events/s at ingest; end-to-end events/s = events stored / (load start → the
// moment every acknowledged event was stored); p50/p99; non-2xx; max lag; catch-up time; RSS.
// Prints a markdown table and the rows as JSON; `--json-out <file>` also writes the JSON there.
// Before (1), a warm-up load of BENCH_WARMUP_S (10; 0 for none) with its own ids, until the loader
// caught up: the broker's JVM and the roles' JITs compile their hot paths in the first seconds, which
// a long-running deployment does not pay again. The figures count the measured load only.
// Tunables (env): BENCH_DURATION_S (30), BENCH_KAFKA_CONNECTIONS (32, as bench:ingest), BENCH_KAFKA_PARTITIONS (6),
// BENCH_CATCH_UP_TIMEOUT_S (120), BENCH_STALL_S (30: stop waiting when the loader stored nothing new
// for that long while behind).
import { rmSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDevBroker } from '../infra/dist/index.js';
import { countStored, runWorker } from './ingest-bench.mjs';
import { machineInfo, machineLine, markdownTable } from './report-table.mjs';
import { readCpuMs, readMetrics, readRssBytes, startServer } from './server-child.mjs';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 30);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 10);
const BATCH_SIZE = 100;
const CONNECTIONS = Number(process.env.BENCH_KAFKA_CONNECTIONS ?? 32);
const PARTITIONS = Number(process.env.BENCH_KAFKA_PARTITIONS ?? 6);
const CATCH_UP_TIMEOUT_MS = Number(process.env.BENCH_CATCH_UP_TIMEOUT_S ?? 120) * 1000;
const STALL_MS = Number(process.env.BENCH_STALL_S ?? 30) * 1000;
const BROKER_START_TIMEOUT_MS = 180_000;
const TARGET_EVENTS_PER_S = 30_000;

export const COLUMNS = [
  ['scenario', 'scenario'],
  ['connections', 'conns'],
  ['durationS', 's'],
  ['requestsPerS', '2xx req/s'],
  ['eventsPerS', 'acked events/s'],
  ['endToEndEventsPerS', 'end-to-end events/s'],
  ['p50Ms', 'p50 ms'],
  ['p99Ms', 'p99 ms'],
  ['non2xx', 'non-2xx'],
  ['errors', 'errors'],
  ['maxLag', 'max lag'],
  ['catchUpS', 'catch-up s'],
  ['cpuPer1k', 'CPU ms per 1K events: ingest / loader / broker / load'],
  ['rssMiB', 'RSS ingest / loader MiB'],
  ['storage', 'stored vs acknowledged'],
];

const delay = (ms) => new Promise((r) => setTimeout(r, ms));
/** Rejects after `ms` (for races; does not keep the process alive). */
const timeout = (ms, what) => new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms).unref());
const mib = (bytes) => (bytes === undefined ? undefined : Math.round(bytes / 1024 / 1024));
const round1 = (x) => Math.round(x * 10) / 10;
const sumWhere = (samples, prefix) => {
  let sum = 0;
  let found = false;
  for (const [k, v] of samples) {
    if (k === prefix || k.startsWith(`${prefix}{`)) {
      sum += v;
      found = true;
    }
  }
  return found ? sum : undefined;
};

/** Set while a run is under way: stops its processes and removes its dirs (bounded), for SIGINT/SIGTERM. */
let abortRun;

const startedAt = Date.now();
const stamp = () => `[${((Date.now() - startedAt) / 1000).toFixed(1)} s]`;

/** One read of the loader's /metrics (undefined when it does not answer in time). */
async function sampleLoader(url) {
  try {
    const m = await readMetrics(url);
    return {
      at: Date.now(),
      lag: sumWhere(m, 'sextant_kafka_consumer_lag'),
      stored: m.get('sextant_events_stored_total') ?? 0,
      deduplicated: m.get('sextant_events_deduplicated_total') ?? 0,
      deadLettered: sumWhere(m, 'sextant_dead_letter_total') ?? 0,
    };
  } catch {
    return undefined;
  }
}

export async function runKafkaBench({ log = (line) => process.stderr.write(`${stamp()} ${line}\n`) } = {}) {
  const machine = machineInfo();
  const runId = Date.now().toString(36);
  const idPrefix = `benchkafka_${runId}`;
  log(`kafka bench on ${machineLine(machine)}`);

  let broker;
  let loader;
  let ingest;
  const dataDirs = [];
  // Children and the broker are SIGKILLed by exit hooks (server-child, infra); their dirs go here
  // (best effort: a child may still be dying).
  const removeDirs = () => {
    for (const d of dataDirs) {
      try {
        rmSync(d, { recursive: true, force: true, maxRetries: 5 });
      } catch (err) {
        process.stderr.write(`could not remove ${d}: ${err}\n`);
      }
    }
  };
  process.once('exit', removeDirs);
  abortRun = async () => {
    await Promise.all([ingest?.stop(5_000), loader?.stop(5_000)].map((p) => p?.catch(() => undefined)));
    await broker?.close().catch(() => undefined);
    removeDirs();
  };

  const samples = [];
  const rss = { ingestPeakMiB: undefined, loaderPeakMiB: undefined };
  const trackRss = () => {
    const i = mib(readRssBytes(ingest.pid));
    const l = mib(readRssBytes(loader.pid));
    if (i !== undefined) rss.ingestPeakMiB = Math.max(rss.ingestPeakMiB ?? 0, i);
    if (l !== undefined) rss.loaderPeakMiB = Math.max(rss.loaderPeakMiB ?? 0, l);
  };
  // CPU used by each process from the load start until the loader caught up (the load worker: its own figure).
  const cpuAt = {};
  const publishAt = {};
  const readCpus = () => ({ ingest: readCpuMs(ingest.pid), loader: readCpuMs(loader.pid), broker: readCpuMs(broker.pid) });
  // Loader and ingest counters after the warm-up; every figure below is relative to them.
  const base = { stored: 0, accepted: 0, deduplicated: 0 };
  const warmup = { acked: 0 };
  const warmupPrefix = `${idPrefix}w`;
  const sampleMeasured = async (url) => {
    const s = await sampleLoader(url);
    return s && { ...s, stored: s.stored - base.stored, deduplicated: s.deduplicated - base.deduplicated };
  };
  let load;
  let acceptedByIngest;
  let caughtUp;
  let stalled = false;
  let storedAtTarget;
  let lagZeroAt;
  let target;
  let exits = {};
  let stored;
  try {
    log('starting a dev Kafka broker ...');
    broker = await Promise.race([startDevBroker(), timeout(BROKER_START_TIMEOUT_MS, 'starting the Kafka broker')]);
    log(`broker pid ${broker.pid} at ${broker.brokers.join(',')}`);
    const env = { KAFKA_BROKERS: broker.brokers.join(','), SEXTANT_KAFKA_PARTITIONS: String(PARTITIONS) };

    loader = await startServer({ command: 'loader', env });
    dataDirs.push(loader.dataDir);
    log(`loader pid ${loader.pid} at ${loader.url}, data dir ${loader.dataDir}`);
    ingest = await startServer({ command: 'ingest', env });
    dataDirs.push(ingest.dataDir);
    log(`ingest pid ${ingest.pid} at ${ingest.url}`);

    // (0) warm-up, then wait until everything it acknowledged was stored: the counters after it are the base.
    if (WARMUP_S > 0) {
      log(`warm-up: ${WARMUP_S} s of the same load ...`);
      const warm = await runWorker({ scenario: 'batch', url: ingest.url, writeKey: ingest.writeKey, connections: CONNECTIONS, durationS: WARMUP_S, eventsPerRequest: BATCH_SIZE, idPrefix: warmupPrefix });
      warmup.acked = warm.ok2xx * BATCH_SIZE;
      const by = Date.now() + CATCH_UP_TIMEOUT_MS;
      for (;;) {
        const accepted = (await readMetrics(ingest.url).catch(() => undefined))?.get('sextant_events_accepted_total{type="track"}');
        const s = await sampleLoader(loader.url);
        if (accepted !== undefined && s && s.stored >= Math.max(accepted, warmup.acked) && s.lag === 0) {
          base.stored = s.stored;
          base.accepted = accepted;
          base.deduplicated = s.deduplicated;
          break;
        }
        if (Date.now() > by) throw new Error(`the loader did not catch up with the warm-up within ${CATCH_UP_TIMEOUT_MS} ms: ${JSON.stringify(s)}`);
        await delay(200);
      }
      log(`warm-up done: ${warmup.acked} acknowledged, ${base.stored} stored`);
    }

    // (1) load, sampling the loader every second.
    log(`/v1/batch × ${BATCH_SIZE} events, ${CONNECTIONS} connections, ${DURATION_S} s, ${PARTITIONS} partitions ...`);
    let loading = true;
    cpuAt.start = readCpus();
    publishAt.start = await readPublishTimings(ingest.url);
    const sampler = (async () => {
      while (loading) {
        const s = await sampleMeasured(loader.url);
        if (s) samples.push({ ...s, phase: 'load' });
        trackRss();
        await delay(1000 - ((Date.now() - startedAt) % 1000));
      }
    })();
    try {
      load = await runWorker({ scenario: 'batch', url: ingest.url, writeKey: ingest.writeKey, connections: CONNECTIONS, durationS: DURATION_S, eventsPerRequest: BATCH_SIZE, idPrefix });
    } finally {
      loading = false;
      await sampler;
    }
    const acked = load.ok2xx * BATCH_SIZE;
    log(`load done: ${load.ok2xx} × 2xx (${acked} events), non-2xx ${load.non2xx}, errors ${load.errors}`);

    // (2) catch-up: every event the ingest role acknowledged (to autocannon or to a request cut off at
    // the end) must be stored, and the lag read 0. Requests still in flight at the end finish within
    // the publish timeout, so the ingest count is re-read on every poll.
    const catchUpBy = Date.now() + CATCH_UP_TIMEOUT_MS;
    let last;
    let progressAt = Date.now();
    for (;;) {
      const accepted = (await readMetrics(ingest.url).catch(() => undefined))?.get('sextant_events_accepted_total{type="track"}');
      if (accepted !== undefined) acceptedByIngest = accepted - base.accepted;
      target = Math.max(acked, acceptedByIngest ?? 0);
      const s = await sampleMeasured(loader.url);
      trackRss();
      if (s) {
        samples.push({ ...s, phase: 'catch-up' });
        if (!last || s.stored > last.stored) progressAt = s.at;
        last = s;
        if (storedAtTarget === undefined && s.stored >= target) storedAtTarget = s;
        if (storedAtTarget !== undefined && s.stored < target) storedAtTarget = undefined; // the target moved
        if (s.stored >= target && s.lag === 0) {
          lagZeroAt = s.at;
          caughtUp = true;
          break;
        }
      }
      if (Date.now() > catchUpBy || Date.now() - progressAt > STALL_MS) {
        caughtUp = false;
        stalled = Date.now() - progressAt > STALL_MS;
        const why = stalled ? `stored nothing new for ${STALL_MS} ms` : `did not catch up within ${CATCH_UP_TIMEOUT_MS} ms`;
        log(`the loader ${why}: ${JSON.stringify(last)} (target ${target})`);
        break;
      }
      await delay(200);
    }
    cpuAt.end = readCpus();
    publishAt.end = await readPublishTimings(ingest.url);
    if (caughtUp) log(`caught up ${lagZeroAt - load.endedAt} ms after the load: ${last.stored} stored, lag 0`);
  } finally {
    // (3) stop everything; SIGTERM the roles (the loader commits what it stored), then the broker.
    if (ingest) exits.ingest = await ingest.stop(30_000).catch((err) => ({ error: String(err) }));
    if (loader) exits.loader = await loader.stop(60_000).catch((err) => ({ error: String(err) }));
    try {
      if (loader && caughtUp !== undefined) {
        log('counting stored events in the loader data dir with chDB ...');
        stored = await countStored(loader.dataDir);
      }
    } finally {
      if (broker) await broker.close().catch((err) => log(`stopping the broker failed: ${err}`));
      removeDirs();
      process.removeListener('exit', removeDirs);
      abortRun = undefined;
      log(`roles exited ${JSON.stringify(exits)}; broker stopped`);
    }
  }

  const acked = load.ok2xx * BATCH_SIZE;
  const mine = stored.get(idPrefix) ?? { rows: 0, ids: 0 };
  const warm = stored.get(warmupPrefix) ?? { rows: 0, ids: 0 };
  const others = [...stored.entries()].filter(([p]) => p !== idPrefix && p !== warmupPrefix);
  const loadSamples = samples.filter((s) => s.phase === 'load');
  const maxLag = Math.max(0, ...loadSamples.map((s) => s.lag ?? 0));
  const maxLagCatchUp = Math.max(0, ...samples.filter((s) => s.phase === 'catch-up').map((s) => s.lag ?? 0));
  const lastSample = samples.at(-1);
  const e2eMs = storedAtTarget ? storedAtTarget.at - load.startedAt : undefined;
  const endToEndEventsPerS = e2eMs ? Math.round(storedAtTarget.stored / (e2eMs / 1000)) : undefined;
  const verification = {
    acknowledgedEvents: acked,
    acceptedByIngest,
    idsGenerated: load.idsGenerated,
    storedRows: mine.rows,
    storedDistinct: mine.ids,
    duplicates: mine.rows - mine.ids + (warm.rows - warm.ids),
    warmup: { acknowledged: warmup.acked, storedDistinct: warm.ids, lost: Math.max(0, warmup.acked - warm.ids) },
    // Not stored although acknowledged: lost if the loader caught up, else still in Kafka (uncommitted).
    lost: caughtUp ? Math.max(0, acked - mine.ids) : 0,
    notStoredYet: caughtUp ? 0 : Math.max(0, acked - mine.ids),
    // Requests cut off when the load stopped can be stored without an answer autocannon counted.
    storedNotAcknowledged: Math.max(0, mine.ids - acked),
    storedUnknownIds: Math.max(0, mine.ids - load.idsGenerated) + others.reduce((n, [, v]) => n + v.rows, 0),
    caughtUp,
    stalled,
    catchUpTarget: target,
    loaderStored: lastSample?.stored,
    loaderDeduplicated: lastSample?.deduplicated,
    loaderDeadLettered: lastSample?.deadLettered,
    exits,
  };
  const ok =
    caughtUp === true &&
    verification.lost === 0 &&
    verification.warmup.lost === 0 &&
    verification.duplicates === 0 &&
    verification.storedUnknownIds === 0 &&
    verification.storedDistinct >= (acceptedByIngest ?? Infinity) &&
    verification.loaderDeadLettered === 0;

  const storage = `${mine.ids.toLocaleString('en-US')} / ${acked.toLocaleString('en-US')}${verification.lost ? ` (${verification.lost} LOST)` : ''}${verification.notStoredYet ? ` (${verification.notStoredYet} not stored)` : ''}${verification.duplicates ? ` (${verification.duplicates} dup)` : ''}`;
  const row = {
    benchmark: 'kafka',
    scenario: `/v1/batch → Kafka (${PARTITIONS} partitions) → loader → chDB, ${BATCH_SIZE} events/request, max rate`,
    connections: load.connections,
    durationS: load.durationS,
    requestsPerS: round1(load.ok2xx / load.durationS),
    eventsPerS: Math.round(acked / load.durationS),
    endToEndEventsPerS: endToEndEventsPerS ?? 'not caught up',
    p50Ms: load.latencyMs.p50,
    p99Ms: load.latencyMs.p99,
    non2xx: load.non2xx,
    errors: load.errors,
    maxLag,
    maxLagCatchUp,
    catchUpS: caughtUp
      ? round1((lagZeroAt - load.endedAt) / 1000)
      : lastSample && target !== undefined && lastSample.stored >= target
        ? 'lag never 0'
        : stalled
          ? 'stalled'
          : `> ${CATCH_UP_TIMEOUT_MS / 1000}`,
    cpuPer1k: cpuPer1k(cpuAt, load, storedAtTarget?.stored ?? acked),
    rssMiB: `${rss.ingestPeakMiB ?? '?'} / ${rss.loaderPeakMiB ?? '?'}`,
    storage,
    statusCounts: load.statusCounts,
    endToEndMs: e2eMs,
    storedAtEndToEnd: storedAtTarget?.stored,
    loadWallMs: load.endedAt - load.startedAt,
  };
  const lagSeries = loadSamples.map((s) => s.lag ?? '?').join(', ');
  const allStored = lastSample !== undefined && target !== undefined && lastSample.stored >= target;
  const fmt = (n) => n?.toLocaleString('en-US') ?? '?';
  const gaveUp = stalled ? `after ${STALL_MS / 1000} s without a new stored event` : `after ${CATCH_UP_TIMEOUT_MS / 1000} s`;
  const notCaughtUp = caughtUp
    ? undefined
    : allStored
      ? `The loader did NOT catch up: every event the ingest role acknowledged was stored (${fmt(lastSample.stored)} of ${fmt(target)}), but its consumer lag never read 0 (${fmt(lastSample.lag)} ${gaveUp}); meanwhile it dropped ${fmt(lastSample.deduplicated)} redelivered events by messageId.`
      : `The loader did NOT catch up: ${fmt(lastSample?.stored)} stored of ${fmt(target)} acknowledged by the ingest role, lag ${fmt(lastSample?.lag)} ${gaveUp}; meanwhile it dropped ${fmt(lastSample?.deduplicated)} redelivered events by messageId. The acknowledged events not stored are still in Kafka (uncommitted).`;
  const notes = [
    ...(notCaughtUp ? [notCaughtUp] : []),
    `Machine: ${machineLine(machine)}. The Kafka broker (JVM), the ingest and loader roles, the load worker and this script share it.`,
    endToEndEventsPerS === undefined
      ? `End to end: not measured, the loader never stored every event the ingest role acknowledged. Target ≥ ${TARGET_EVENTS_PER_S.toLocaleString('en-US')} events/s: NOT met.`
      : `End to end: events stored (loader's \`sextant_events_stored_total\`, ${fmt(storedAtTarget.stored)}) / time from the load start until every event the ingest role acknowledged was stored (${e2eMs} ms; polled every 200 ms after the load). Target ≥ ${TARGET_EVENTS_PER_S.toLocaleString('en-US')} events/s: ${endToEndEventsPerS >= TARGET_EVENTS_PER_S ? 'met' : 'NOT met'}.`,
    `Catch-up: from the load end until the loader had stored every acknowledged event and its consumer lag (summed over partitions; refreshed by each committed batch and every 5 s) read 0. Max lag: the highest sum in the 1 s samples during the load (${lagSeries}); ${maxLagCatchUp.toLocaleString('en-US')} at most while catching up.`,
    `Warm-up: ${WARMUP_S} s of the same load before the measured one (its own ids: ${fmt(warmup.acked)} acknowledged, ${fmt(warm.ids)} stored), so JIT compilation in the broker's JVM and the roles is not counted; every figure here is the measured load's.`,
    `Kafka publishing in the ingest role (its /metrics, measured load): ${publishSummary(publishAt)}.`,
    `CPU: user + system time of each process (/proc/<pid>/stat) from the load start until the loader caught up, and the load worker's own, per 1,000 events stored.`,
    `RSS: peak VmRSS of each role (/proc/<pid>/status), sampled every second during the load and every 200 ms while catching up.`,
    `Latency: autocannon, 2xx responses only; a 2xx means Kafka acknowledged the events (acks=all). Answers: ${JSON.stringify(load.statusCounts)}.`,
    `Stored vs acknowledged: distinct messageIds in the loader's ClickHouse (chDB, read after the loader stopped) / events in 2xx answers; the ingest role counted ${acceptedByIngest?.toLocaleString('en-US') ?? '?'} events accepted (stored can exceed the 2xx answers by requests cut off at the end). Rows ${mine.rows.toLocaleString('en-US')}, duplicates ${verification.duplicates}, deduplicated (redeliveries dropped) by the loader ${fmt(verification.loaderDeduplicated)}, dead-lettered ${fmt(verification.loaderDeadLettered)}.`,
  ];
  const markdown = [`### Kafka (end to end)`, '', markdownTable(COLUMNS, [row]), '', ...notes.map((n) => `- ${n}`)].join('\n');
  return { benchmark: 'kafka', machine, rows: [row], verification, raw: { load, samples, rss }, markdown, ok };
}

/** Sums and counts of the ingest role's publish and send histograms (undefined if /metrics does not answer). */
async function readPublishTimings(url) {
  const m = await readMetrics(url).catch(() => undefined);
  if (!m) return undefined;
  const g = (k) => m.get(k) ?? 0;
  return {
    publishSum: g('sextant_kafka_publish_duration_seconds_sum'),
    publishCount: g('sextant_kafka_publish_duration_seconds_count'),
    sendSum: g('sextant_kafka_send_duration_seconds_sum'),
    sendCount: g('sextant_kafka_send_duration_seconds_count'),
  };
}

function publishSummary({ start, end }) {
  if (!start || !end) return 'not read';
  const d = (k) => end[k] - start[k];
  const ms = (sum, n) => (n > 0 ? `${((sum / n) * 1000).toFixed(1)} ms` : '?');
  return `mean wait + send per request ${ms(d('publishSum'), d('publishCount'))}, mean send ${ms(d('sendSum'), d('sendCount'))}, ${d('sendCount') > 0 ? (d('publishCount') / d('sendCount')).toFixed(1) : '?'} requests per send`;
}

/** "ingest / loader / broker / load" CPU ms per 1,000 events, from the readings at the load start and end. */
function cpuPer1k(cpuAt, load, events) {
  const per1k = (ms) => (ms === undefined || !events ? '?' : Math.round((ms / events) * 1000 * 10) / 10);
  const used = (role) => (cpuAt.start?.[role] === undefined || cpuAt.end?.[role] === undefined ? undefined : cpuAt.end[role] - cpuAt.start[role]);
  return ['ingest', 'loader', 'broker'].map((r) => per1k(used(r))).concat(per1k(load.cpuMs)).join(' / ');
}

const isMain = Boolean(process.argv[1]) && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
if (isMain) {
  // Interrupted (Ctrl-C, or run-all's timeout): stop the roles and the broker, remove the dirs, exit
  // (bounded; the exit hooks SIGKILL whatever is left).
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      process.stderr.write(`kafka bench: ${sig}, cleaning up\n`);
      setTimeout(() => process.exit(130), 30_000);
      Promise.resolve(abortRun?.()).finally(() => process.exit(130));
    });
  }
  const jsonOutAt = process.argv.indexOf('--json-out');
  const jsonOut = jsonOutAt > 0 ? process.argv[jsonOutAt + 1] : undefined;
  try {
    const result = await runKafkaBench();
    process.stdout.write(`\n${result.markdown}\n\n`);
    process.stdout.write(`${JSON.stringify({ benchmark: result.benchmark, machine: result.machine, rows: result.rows, verification: result.verification })}\n`);
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2));
    if (!result.ok) {
      process.stderr.write('kafka bench: the loader did not catch up, or events were lost, duplicated or dead-lettered (see verification)\n');
      process.exitCode = 1;
    }
  } catch (err) {
    process.stderr.write(`kafka bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
