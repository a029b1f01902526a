#!/usr/bin/env node
// Journey analytics benchmark: a synthetic shop of N shoppers / E events generated inside chDB with
// INSERT ... SELECT FROM numbers(E) (landing pages with channels, views, adds, checkouts, orders), then
//   1. a 4-step funnel with a channel breakdown (target < 1 s);
//   2. attribution with all seven models (target < 3 s);
//   3. the KPI overview with DoD/MoM/YoY (target < 1 s).
// Each timed query runs once untimed (a server answers with its caches warm; the first read after opening
// the data dir loads marks and indexes), then 5 times; the median wall time is reported, with the process
// CPU time of that run (chDB runs in-process, so it counts the engine's threads: a fairer figure when
// other work shares the cores), the slowest of the 5, and the load average when the benchmark ran.
// With --dataset-dir <dir> (a chDB data dir built by the simulator's bulk mode, e.g. `npm run bench:dataset`
// with BENCH_DATASET_OUT_DIR), the dir is copied (`cp -a`) to a fresh temp dir and the benchmark runs on
// the copy: the source is never opened (chDB allows one process per data dir, and other benches read it).
// The engine refresh (identity resolution, traits) runs on the copy first; the periods are the last 30
// days (funnel, attribution) and the last full day (KPIs) of the data.
// With --copy-dir <dir> as well, the copy goes to <dir> and is kept (migrated and refreshed) for the next run,
// which reuses it without copying when <dir> is not empty: for iterating on the queries. Never the dataset itself.
// Usage: node bench/analytics-bench.mjs [--shoppers 1000000] [--events 20000000] [--dataset-dir dir [--copy-dir dir]] [--json-out file]
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatasetCopy, settleBackgroundWork } from './open-dataset-copy.mjs';
import { machineInfo, machineLine, markdownTable } from './report-table.mjs';

const { values: args } = parseArgs({ options: { shoppers: { type: 'string', default: '1000000' }, events: { type: 'string', default: '20000000' }, 'dataset-dir': { type: 'string' }, 'copy-dir': { type: 'string' }, 'json-out': { type: 'string' } } });
const N = Number(args.shoppers);
const E = Number(args.events);
const DATASET = args['dataset-dir'] ? path.resolve(args['dataset-dir']) : undefined;
const log = (msg) => process.stderr.write(`[analytics-bench] ${msg}\n`);
const engine = await import('../segment-engine/dist/index.js');
const COPY_DIR = DATASET && args['copy-dir'] ? path.resolve(args['copy-dir']) : undefined;
if (COPY_DIR && (COPY_DIR === DATASET || COPY_DIR.startsWith(`${DATASET}/`))) throw new Error('--copy-dir must not be the dataset');
const reuseCopy = Boolean(COPY_DIR && existsSync(COPY_DIR) && readdirSync(COPY_DIR).length > 0);
if (COPY_DIR) mkdirSync(COPY_DIR, { recursive: true });
const tmpRoot = COPY_DIR ?? mkdtempSync(path.join(tmpdir(), 'sextant-analytics-bench-'));
const tOpen = performance.now();
// A dataset copy is migrated (0031 materializes its columns) and its background mutations awaited.
const store = DATASET
  ? (await openDatasetCopy({ dataset: DATASET, dataDir: tmpRoot, engine, log, reuse: reuseCopy })).store
  : await engine.openEngineStore({ dataDir: tmpRoot });
const openSeconds = (performance.now() - tOpen) / 1000;
const client = store.client;
const loads = [];
const median = async (fn) => {
  const runs = [];
  let result;
  await fn(); // warm-up, not timed
  for (let i = 0; i < 5; i++) {
    loads.push(loadavg()[0]);
    const t = performance.now();
    const cpu = process.cpuUsage();
    result = await fn();
    const used = process.cpuUsage(cpu);
    runs.push({ ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 });
  }
  runs.sort((a, b) => a.ms - b.ms);
  return { ...runs[2], maxMs: runs[4].ms, result };
};
const timeCell = (r) => `${r.ms.toFixed(0)} ms (CPU ${r.cpuMs.toFixed(0)} ms; slowest ${r.maxMs.toFixed(0)} ms)`;
let ok = true;
const rows = [];
const one = async (query) => (await (await client.query({ query, format: 'JSONEachRow' })).json())[0];
const day = (ms) => new Date(ms).toISOString().slice(0, 10);
try {
  const t0 = performance.now();
  let periods = { from: '2024-06-01', to: '2024-07-01', kpiDate: '2024-06-15', asOf: new Date('2025-01-01T00:00:00Z') };
  if (DATASET) {
    const d = await one(`SELECT count() AS c, uniqExact(if(user_id != '', concat('u:', user_id), concat('a:', anonymous_id))) AS keys, toUnixTimestamp64Milli(max(timestamp)) AS last FROM events`);
    log(`dataset: ${d.c} events, ${d.keys} user/anonymous ids`);
    const r = await one(`SELECT count() AS c FROM engine_runs WHERE kind = 'identity'`);
    let refreshNote = 'already resolved';
    if (Number(r.c) === 0) {
      const t = performance.now();
      await engine.refreshEngine(client, store, {}, new Date(Number(d.last)));
      refreshNote = `engine refresh ${((performance.now() - t) / 1000).toFixed(1)} s`;
      log(refreshNote);
    }
    // The person event timeline funnels read (migration 0033): written by every engine refresh; a copy
    // refreshed before it existed, or with events stored after it (an earlier run's), gets a new one.
    const timeline = await engine.currentPersonTimeline(client);
    if (!timeline || timeline.newerParts.length > 0) {
      const t = performance.now();
      await engine.refreshPersonTimeline(client);
      refreshNote += `, person event timeline ${((performance.now() - t) / 1000).toFixed(1)} s`;
      log(refreshNote);
    }
    // Background merges (of a timeline the last run wrote, and its delete) would compete with the timed runs: let them finish (≤ 2 min).
    const s0 = performance.now();
    await settleBackgroundWork(client);
    log(`background merges settled in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
    const persons = await one(`SELECT count() AS p FROM person_traits WHERE version = (SELECT max(version) FROM engine_runs WHERE kind = 'traits')`);
    const end = Date.parse(`${day(Number(d.last))}T00:00:00Z`); // the last full day ends here
    periods = { from: day(end - 30 * 86_400_000), to: day(end), kpiDate: day(end - 86_400_000), asOf: new Date(Number(d.last)) };
    rows.push(['dataset', `simulator bulk: ${Number(d.c).toLocaleString('en')} events / ${Number(d.keys).toLocaleString('en')} ids → ${Number(persons.p).toLocaleString('en')} persons after identity resolution`, `copy, migrations and their background mutations ${openSeconds.toFixed(1)} s, ${refreshNote}`, '—']);
  } else {
  // Event i belongs to shopper i % N; kinds cycle page(landing) / view / add / checkout / order with
  // decreasing frequency; events spread over 2024 (one year).
  await client.command({
    query: `INSERT INTO events (source_id, message_id, type, event, anonymous_id, timestamp, received_at, utm_source, utm_medium, utm_campaign, fbclid, gclid, revenue, currency, properties, context)
      SELECT 'src', toString(number), if(k = 0, 'page', 'track'),
        multiIf(k = 0, '', k <= 4, 'Product Viewed', k <= 6, 'Product Added', k = 7, 'Checkout Started', 'Order Completed'),
        concat('a', toString(number % ${N})),
        toDateTime64('2024-01-01 00:00:00', 3, 'UTC') + toIntervalSecond(intDiv(number, ${N}) * 86400 * 365 / greatest(1, intDiv(${E}, ${N})) + (number % 86400)),
        now64(3),
        if(k = 0, ['facebook', 'google', 'newsletter', '', 'tiktok'][1 + cityHash64(number) % 5], ''),
        if(k = 0, ['paid_social', 'cpc', 'email', '', 'paid_social'][1 + cityHash64(number) % 5], ''),
        if(k = 0, concat('c', toString(cityHash64(number, 1) % 20)), ''),
        '', '', if(k = 8, 20 + cityHash64(number) % 200, NULL), 'USD',
        if(k BETWEEN 1 AND 6, concat('{"product_id":"p', toString(cityHash64(number) % 500), '","country":"', ['US','DE','FR','GB'][1 + number % 4], '"}'), '{}'),
        if(k = 0, '{"sessionStart":true}', '{}')
      FROM (SELECT number, toUInt8(cityHash64(number, 7) % 9) AS k FROM numbers(${E}))`,
    clickhouse_settings: { max_insert_threads: 2 },
  });
  const [{ c }] = await (await client.query({ query: 'SELECT count() AS c FROM events', format: 'JSONEachRow' })).json();
  ok &&= Number(c) === E;
  log(`built ${c} events for ${N} shoppers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  rows.push(['dataset', `${E.toLocaleString('en')} events / ${N.toLocaleString('en')} shoppers`, `${((performance.now() - t0) / 1000).toFixed(1)} s`, '—']);
  }

  const { from, to } = periods;
  const breakdown = DATASET ? { channel: true } : { property: 'country' };
  const funnelDef = { steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Checkout Started' }, { event: 'Order Completed' }], window_seconds: 7 * 86400, from, to, breakdown };
  const f = await median(() => engine.runFunnel(client, funnelDef, { asOf: periods.asOf }));
  log(`funnel ${f.ms.toFixed(0)} ms, entered ${f.result.total.entered}, groups ${f.result.breakdown.map((g) => `${g.value}=${g.entered}`).join(' ')}`);
  rows.push([`4-step funnel, breakdown by ${DATASET ? 'source channel' : 'country'} (${from} – ${to}), read from ${f.result.source === 'timeline' ? 'the person event timeline' : 'events'}`, `${f.result.total.entered.toLocaleString('en')} entered, ${f.result.total.converted.toLocaleString('en')} converted, ${f.result.breakdown.length} groups`, timeCell(f), '< 1 s']);
  if (DATASET) {
    const week = { ...funnelDef, from: day(Date.parse(`${to}T00:00:00Z`) - 7 * 86_400_000) };
    const w = await median(() => engine.runFunnel(client, week, { asOf: periods.asOf }));
    log(`funnel (7 days) ${w.ms.toFixed(0)} ms, entered ${w.result.total.entered}`);
    rows.push([`the same funnel over 7 days (${week.from} – ${to})`, `${w.result.total.entered.toLocaleString('en')} entered, ${w.result.breakdown.length} groups`, timeCell(w), '—']);
  }
  const a = await median(() => engine.runAttribution(client, { from, to, ...(DATASET ? {} : { touch_events: [] }) }));
  log(`attribution ${a.ms.toFixed(0)} ms, conversions ${a.result.totals.conversions}, channels ${a.result.rows.length}`);
  rows.push([`attribution, 7 models (${from} – ${to}, 30-day lookback)`, `${a.result.totals.conversions.toLocaleString('en')} conversions, ${a.result.rows.length} channels`, timeCell(a), '< 3 s']);
  const k = await median(() => engine.kpiOverview(client, { date: periods.kpiDate }));
  rows.push([`KPI overview (day ${periods.kpiDate}, DoD/MoM/YoY)`, `${k.result.kpis.sessions.value} sessions, ${k.result.byChannel.length} channels`, timeCell(k), '< 1 s']);
  log(`kpis ${k.ms.toFixed(0)} ms`);
  const kf = await median(() => engine.kpiOverview(client, { date: periods.kpiDate, channel: 'facebook_ads' }));
  rows.push([`the same KPI overview for one channel (facebook_ads: sessions by landing channel, orders by last non-direct touch)`, `${kf.result.kpis.sessions.value} sessions`, timeCell(kf), '—']);
  log(`kpis (one channel) ${kf.ms.toFixed(0)} ms`);
  const mk = await median(() => engine.marketingKpis(client, { date: periods.kpiDate, period: 'month', group_by: 'campaign' }));
  rows.push([`marketing KPIs per channel and campaign (month of ${periods.kpiDate}, DoD/MoM/YoY windows, last non-direct touch)`, `${mk.result.rows.length} rows`, timeCell(mk), '—']);
  log(`marketing kpis ${mk.ms.toFixed(0)} ms, ${mk.result.rows.length} rows`);
  if (DATASET) {
    // Events stored after the last refresh (in production there nearly always are some): the funnel reads
    // them from events, joined to the identity map, besides the timeline. Copies of the last day's events
    // under new message ids, deleted again afterwards.
    const SINCE = 50_000;
    await client.command({
      query: `INSERT INTO events SELECT * REPLACE (concat(message_id, '-bench-since') AS message_id) FROM events WHERE timestamp >= {d:String} LIMIT ${SINCE}`,
      query_params: { d: periods.kpiDate },
    });
    const s = await median(() => engine.runFunnel(client, funnelDef, { asOf: periods.asOf }));
    log(`funnel with ${SINCE} events since the refresh ${s.ms.toFixed(0)} ms (${s.result.source}), entered ${s.result.total.entered}`);
    rows.push([`the same 30-day funnel with ${SINCE.toLocaleString('en')} events stored since the last refresh, not caught up (read from ${s.result.source === 'timeline' ? 'the timeline + events' : 'events'})`, `${s.result.total.entered.toLocaleString('en')} entered`, timeCell(s), '—']);
    // What the server does every minute between refreshes: append the events stored since to the timeline.
    const tc = performance.now();
    const caught = await engine.catchUpPersonTimeline(client);
    const catchUpMs = performance.now() - tc;
    log(`timeline catch-up ${catchUpMs.toFixed(0)} ms: ${caught?.appended} rows${caught?.latePersons ? `, ${caught.latePersons} persons with a late landing page` : ''}`);
    rows.push([`timeline catch-up of those ${SINCE.toLocaleString('en')} events (the server runs it every minute)`, `${(caught?.appended ?? 0).toLocaleString('en')} rows appended${caught?.latePersons ? `, ${caught.latePersons} persons with a late landing page` : ''}`, `${catchUpMs.toFixed(0)} ms`, '—']);
    // As before the first funnel: the merges the appended parts start are not the funnel's cost.
    const s1 = performance.now();
    await settleBackgroundWork(client);
    log(`background merges after the catch-up settled in ${((performance.now() - s1) / 1000).toFixed(1)} s`);
    const c = await median(() => engine.runFunnel(client, funnelDef, { asOf: periods.asOf }));
    log(`funnel after the catch-up ${c.ms.toFixed(0)} ms, entered ${c.result.total.entered}`);
    rows.push([`the same 30-day funnel with those events caught up`, `${c.result.total.entered.toLocaleString('en')} entered`, timeCell(c), '< 1 s']);
    ok &&= c.result.total.entered === s.result.total.entered && JSON.stringify(c.result.total.steps) === JSON.stringify(s.result.total.steps);
    await client.command({ query: `DELETE FROM events WHERE message_id LIKE '%-bench-since'` });
    // A new timeline now (its write is heavy on 2 cores: ~15 s of CPU and disk), so that the next run on
    // this copy measures without one being written just before.
    if (COPY_DIR) await engine.refreshPersonTimeline(client);
    ok &&= s.result.total.entered >= f.result.total.entered;
  }
  ok &&= f.result.total.entered > 0 && a.result.totals.conversions > 0;
} catch (err) {
  ok = false;
  log(`failed: ${err.stack ?? err}`);
} finally {
  await store.close();
  if (!COPY_DIR) rmSync(tmpRoot, { recursive: true, force: true });
}
const markdown = `### Journey analytics (funnel, attribution, KPIs)\n\n${machineLine(machineInfo())}\n\n${DATASET ? 'Simulator bulk-mode dataset (a copy of it).' : 'Synthetic shop built in chDB (INSERT … SELECT FROM numbers), not the simulator.'} One untimed warm-up run, then the median of 5 (wall, the process CPU time of that run, and the slowest of the 5); 1-minute load average during the timed runs ${loads.length ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : 'n/a'} on ${machineInfo().cores} cores.\n\n${markdownTable([['what', 'what'], ['size', 'size'], ['time', 'time'], ['target', 'target']], rows.map(([what, size, time, target]) => ({ what, size, time, target })))}`;
process.stdout.write(`${markdown}\n`);
if (args['json-out']) writeFileSync(args['json-out'], JSON.stringify({ benchmark: 'analytics', machine: machineInfo(), rows, markdown, ok }));
process.exit(ok ? 0 : 1);
