#!/usr/bin/env node
// Segment engine benchmark. Data: either a simulator bulk-mode dataset (`--dataset-dir`, e.g. built by
// `BENCH_DATASET_OUT_DIR=... npm run bench:dataset`), copied with `cp -a` into a fresh temp dir (the
// source is never opened: chDB allows one process per data dir, and other benches share it), or, without
// it, a synthetic shop of N shoppers / E events generated inside chDB with `INSERT ... SELECT FROM
// numbers(E)`. Then:
//   1. the full refresh (identity edges + resolution, computed traits, tags, profile snapshots) — reported, no target;
//   2. segment preview of a three-condition definition (target < 1 s);
//   3. full membership refresh of that segment (target < 10 s);
//   4. profile lookup by an identifier, p50/p99 over many lookups (1,000 by default: the p99 is then the
//      10th slowest, not the 2nd of 200; target p99 < 50 ms), twice: right after
//      step 3 (memberships changed since the snapshots: each lookup applies the person's changes of the
//      refreshed segment; the count of such lookups is printed) and after rewriting the snapshots.
// Usage: node bench/segments-bench.mjs [--dataset-dir dir] [--shoppers 1000000] [--events 20000000] [--lookups 1000] [--json-out file]
// For iterating on one step: `--copy-dir dir` keeps the dataset copy in `dir` (copied only when `dir` has
// none yet; never deleted), `--skip-refresh` reuses the engine refresh already in that copy, and
// `--only lookups` runs only the profile lookups (no preview and membership refresh).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatasetCopy, settleBackgroundWork } from './open-dataset-copy.mjs';
import { machineInfo, machineLine, markdownTable } from './report-table.mjs';

const { values: args } = parseArgs({
  options: {
    shoppers: { type: 'string', default: '1000000' },
    events: { type: 'string', default: '20000000' },
    lookups: { type: 'string', default: '1000' },
    'dataset-dir': { type: 'string' },
    'json-out': { type: 'string' },
    'copy-dir': { type: 'string' },
    'skip-refresh': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const N = Number(args.shoppers);
const E = Number(args.events);
const LOOKUPS = Number(args.lookups);
const DATASET = args['dataset-dir'] ? path.resolve(args['dataset-dir']) : undefined;
const engine = await import('../segment-engine/dist/index.js');

const log = (msg) => process.stderr.write(`[segments-bench] ${msg}\n`);
const time = async (fn) => {
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result };
};
const fmt = (n) => n.toLocaleString('en-US');

const COPY_DIR = args['copy-dir'] ? path.resolve(args['copy-dir']) : undefined;
const dataDir = COPY_DIR ?? mkdtempSync(path.join(tmpdir(), 'sextant-segments-bench-'));
let store;

/** Copies the dataset (never opened in place) and opens the copy; migrations run on the copy. */
async function openDataset() {
  const { copyMs, migrateMs, mutationsMs, ...opened } = await openDatasetCopy({ dataset: DATASET, dataDir, engine, log, reuse: COPY_DIR !== undefined });
  store = opened.store;
  const rs = await store.client.query({
    query: `SELECT count() AS events, uniqExact(if(user_id != '', concat('u:', user_id), concat('a:', anonymous_id))) AS keys,
        toString(max(timestamp)) AS last FROM events`,
    format: 'JSONEachRow',
  });
  const stats = (await rs.json())[0];
  const meta = existsSync(`${DATASET}.json`) ? JSON.parse(readFileSync(`${DATASET}.json`, 'utf8')) : undefined;
  const shoppers = Number(meta?.rows?.[0]?.shoppers ?? 0);
  return {
    label: `simulator bulk dataset (${path.basename(DATASET)}, copied)`,
    ms: copyMs + migrateMs + mutationsMs,
    detail: `${shoppers ? `${fmt(shoppers)} shoppers, ` : ''}${fmt(Number(stats.events))} events; copy ${(copyMs / 1000).toFixed(1)} s, migrations ${((migrateMs + mutationsMs) / 1000).toFixed(1)} s`,
    // The dataset ends at a fixed date: "now" is its last event, so windows such as "last 30 days" hit data.
    now: new Date(Date.parse(`${stats.last.replace(' ', 'T')}Z`) + 1000),
    shoppers,
    events: Number(stats.events),
  };
}

async function generateSynthetic() {
  store = await engine.openEngineStore({ dataDir });
  // Half the shoppers log in (userId on a third of their events, one identify with an email); every
  // fifth logged-in shopper also uses a second device. Events spread over the last year.
  log(`generating ${fmt(N)} shoppers / ${fmt(E)} events`);
  const gen = await time(() =>
    store.client.command({
      query: `INSERT INTO events (source_id, message_id, type, event, anonymous_id, user_id, timestamp, received_at, utm_source, utm_medium, utm_campaign, revenue, currency, properties, traits, context)
        SELECT 'bench', toString(number), t, ev, anon, uid,
          now64(3) - toIntervalSecond(cityHash64(number, 2) % (365 * 86400)) AS ts, ts,
          if(cityHash64(number, 4) % 10 = 0, ['facebook', 'instagram', 'google', 'tiktok', 'newsletter'][s % 5 + 1], ''),
          if(cityHash64(number, 4) % 10 = 0, 'paid', ''),
          if(cityHash64(number, 4) % 10 = 0, concat('camp-', toString(s % 20)), ''),
          if(ev = 'Order Completed', (cityHash64(number, 3) % 20000) / 100, NULL),
          if(ev = 'Order Completed', ['USD', 'EUR', 'GBP'][s % 3 + 1], ''),
          concat('{"category":"', ['shoes', 'hats', 'bags', 'coats', 'socks'][cityHash64(number, 5) % 5 + 1], '"', if(ev = 'Order Completed' AND cityHash64(number, 6) % 4 = 0, ',"coupon":"SAVE10"', ''), '}'),
          if(t = 'identify', concat('{"email":"shopper', toString(s), '@example.com","plan":"', ['free', 'pro'][s % 2 + 1], '"}'), '{}'),
          concat('{"sessionId":', toString(intDiv(number, 8)), '}')
        FROM (
          SELECT number, cityHash64(number) % ${N} AS s,
            cityHash64(number, 1) % 100 AS r,
            multiIf(r < 2, 'identify', 'track') AS t,
            multiIf(r < 2, '', r < 60, 'Product Viewed', r < 80, 'Product Added', r < 90, 'Checkout Started', r < 96, 'Order Completed', 'Cart Viewed') AS ev,
            concat('anon-', toString(s), if(s % 10 = 0 AND number % 2 = 0, '-b', '')) AS anon,
            if(s % 2 = 0 AND (r < 2 OR number % 3 = 0), concat('user-', toString(s)), '') AS uid
          FROM numbers(${E})
        )`,
    }),
  );
  log(`generated in ${(gen.ms / 1000).toFixed(1)} s`);
  return { label: 'synthetic data (INSERT … SELECT)', ms: gen.ms, detail: `${fmt(N)} shoppers, ${fmt(E)} events`, now: new Date(), shoppers: N, events: E };
}

/**
 * Identifiers to look up, drawn from the data with a fixed hash order (the same ones on every run):
 * a quarter each of userIds, emails, anonymous ids that belong to a multi-identifier person, and
 * anonymous ids of shoppers who never identified (no edge: the fallback through `events`).
 */
async function lookupIdentifiers(client, n) {
  const q = n / 4;
  const rs = await client.query({
    query: `SELECT id FROM (
        (SELECT substring(identifier, 3) AS id FROM ${engine.PERSON_MAP_SQL} WHERE startsWith(identifier, 'u:') ORDER BY cityHash64(identifier) LIMIT {q:UInt32})
        UNION ALL
        (SELECT substring(identifier, 3) AS id FROM ${engine.PERSON_MAP_SQL} WHERE startsWith(identifier, 'e:') ORDER BY cityHash64(identifier) LIMIT {q:UInt32})
        UNION ALL
        (SELECT substring(identifier, 3) AS id FROM ${engine.PERSON_MAP_SQL} WHERE startsWith(identifier, 'a:') ORDER BY cityHash64(identifier) LIMIT {q:UInt32})
        UNION ALL
        (SELECT anonymous_id AS id FROM events WHERE user_id = '' AND anonymous_id != ''
          AND concat('a:', anonymous_id) NOT IN (SELECT identifier FROM ${engine.PERSON_MAP_SQL})
          GROUP BY anonymous_id ORDER BY cityHash64(anonymous_id) LIMIT {q:UInt32})
      )`,
    query_params: { q: Math.ceil(q) },
    format: 'JSONEachRow',
  });
  const groups = [[], [], [], []];
  const rows = (await rs.json()).map((r) => r.id);
  // Interleave the kinds so any prefix of the list mixes them.
  const per = Math.ceil(q);
  for (let k = 0; k < 4; k++) groups[k] = rows.slice(k * per, (k + 1) * per);
  const out = [];
  for (let i = 0; out.length < n && i < per; i++) for (const g of groups) if (g[i] !== undefined && out.length < n) out.push(g[i]);
  return out;
}

/** The three-condition definition: it has to select real persons in the data it runs on. */
function benchDefinition(dataset) {
  if (DATASET) {
    return {
      type: 'and',
      conditions: [
        { type: 'computed', trait: 'first_touch_source', op: 'in', value: ['facebook', 'instagram'] },
        { type: 'event', event: 'Product Viewed', within_days: 30, where: [{ property: 'category', op: 'eq', value: 'Footwear' }] },
        { type: 'event', event: 'Order Completed', did: false, within_days: 14 },
      ],
    };
  }
  return {
    type: 'and',
    conditions: [
      { type: 'computed', trait: 'first_touch_source', op: 'in', value: ['facebook', 'instagram'] },
      { type: 'event', event: 'Product Viewed', within_days: 30, where: [{ property: 'category', op: 'eq', value: 'shoes' }] },
      { type: 'event', event: 'Order Completed', did: false, within_days: 90 },
    ],
  };
}

/** The marketer's example of DESIGN.md, without a property filter: "came from a Facebook ad, viewed a product, no purchase in 7 days". */
const DESIGN_EXAMPLE = {
  type: 'and',
  conditions: [
    { type: 'tag', tag: 'channel:facebook_ad' },
    { type: 'event', event: 'Product Viewed', within_days: 30 },
    { type: 'event', event: 'Order Completed', did: false, within_days: 7 },
  ],
};

async function previewBest(client, definition, now, runs = 3) {
  const compiled = engine.compileSegment(definition, { now });
  const times = [];
  const cpu = [];
  let count = 0;
  for (let i = 0; i < runs; i++) {
    const cpu0 = process.cpuUsage();
    const p = await time(async () => {
      const rs = await client.query({ query: `SELECT count() AS c, groupArray(10)(toString(person_id)) AS sample FROM (${engine.matchingPersonsSql(compiled)})`, query_params: compiled.params, format: 'JSONEachRow' });
      return (await rs.json())[0];
    });
    times.push(p.ms);
    // CPU time of this process (chDB's threads included): what a busy machine stretches the wall time by.
    const used = process.cpuUsage(cpu0);
    cpu.push((used.user + used.system) / 1000);
    count = Number(p.result.c);
  }
  return { best: Math.min(...times), times, cpu, count };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

try {
  const data = DATASET ? await openDataset() : await generateSynthetic();
  const client = store.client;
  const now = data.now;

  const full = args['skip-refresh']
    ? { ms: 0, result: { identity: { persons: 0, edges: 0 }, traits: { persons: 0 }, tags: { rows: 0 } } }
    : await time(() => engine.refreshEngine(client, store, {}, now));
  const f = full.result;
  if (!args['skip-refresh']) log(`full refresh ${(full.ms / 1000).toFixed(1)} s: ${fmt(f.identity.persons)} multi-id persons, ${fmt(f.traits.persons)} persons, ${fmt(f.tags.rows)} tag rows`);

  const definition = benchDefinition(data);
  const lookupsOnly = args.only === 'lookups';
  // With `--only lookups` the other steps report zeros (and the run is not checked against them).
  const skipped = { best: 0, times: [], cpu: [], count: 0 };
  const { best: preview, times: previewRuns, cpu: previewCpu, count } = lookupsOnly ? skipped : await previewBest(client, definition, now);
  if (!lookupsOnly) log(`preview: ${fmt(count)} persons, best ${preview.toFixed(0)} ms of ${previewRuns.map((x) => x.toFixed(0)).join('/')} (CPU ${previewCpu.map((x) => x.toFixed(0)).join('/')} ms)`);
  const example = lookupsOnly ? skipped : await previewBest(client, DESIGN_EXAMPLE, now);
  if (!lookupsOnly) log(`preview (DESIGN.md example): ${fmt(example.count)} persons, best ${example.best.toFixed(0)} ms of ${example.times.map((x) => x.toFixed(0)).join('/')} (CPU ${example.cpu.map((x) => x.toFixed(0)).join('/')} ms)`);

  const repo = new engine.SegmentRepository(client);
  const noRefresh = { ms: 0, result: { members: 0 } };
  const segment = lookupsOnly ? undefined : await repo.create('segment', { name: 'bench', description: '', definition });
  const refresh1 = lookupsOnly ? noRefresh : await time(() => engine.refreshSegmentMembership(client, segment, now));
  const refresh2 = lookupsOnly ? noRefresh : await time(() => engine.refreshSegmentMembership(client, segment, now));
  if (!lookupsOnly) log(`membership refresh: ${fmt(refresh1.result.members)} members, ${refresh1.ms.toFixed(0)} ms first, ${refresh2.ms.toFixed(0)} ms second (diff vs previous)`);

  let ids;
  if (DATASET) {
    ids = await lookupIdentifiers(client, LOOKUPS);
  } else {
    ids = [];
    for (let i = 0; i < LOOKUPS; i++) {
      const s = (i * 7919) % N;
      ids.push(i % 2 === 0 && s % 2 === 0 ? `shopper${s}@example.com` : `anon-${s}`);
    }
  }
  /** Lookups of every id (after background merges settle and a few warm-up lookups), with timings. */
  async function measureLookups(label) {
    // Merges started by the refreshes run on this process's threads: let them finish (up to 2 min) so the
    // lookups measure lookups, as in a steady state between refreshes.
    const settle = await time(() => settleBackgroundWork(client));
    log(`background merges ${settle.result ? 'done' : 'still running'} after ${(settle.ms / 1000).toFixed(1)} s`);
    // A few lookups first (not counted): the first queries of a process load code and marks.
    for (const id of ids.slice(0, 5)) {
      const person = await engine.findPerson(client, id);
      if (person) await engine.loadProfile(client, person, 20, now);
    }
    const lat = [];
    const findLat = [];
    const loadLat = [];
    const cpuMs = [];
    let found = 0;
    let withEvents = 0;
    let viaSnapshot = 0;
    let withChanges = 0;
    for (const id of ids) {
      const cpu0 = process.cpuUsage();
      const t = performance.now();
      const person = await engine.findPerson(client, id);
      const t1 = performance.now();
      if (person) {
        const profile = await engine.loadProfile(client, person, 20, now);
        found += 1;
        if (person.snapshot) viaSnapshot += 1;
        if (person.snapshot && !person.snapshot.segmentsCurrent) withChanges += 1;
        if (profile.recentEvents.length > 0) withEvents += 1;
      }
      const t2 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      // CPU time of this process (chDB's threads included) per lookup: what a busy machine stretches.
      cpuMs.push((cpu.user + cpu.system) / 1000);
      lat.push(t2 - t);
      findLat.push(t1 - t);
      loadLat.push(t2 - t1);
    }
    for (const a of [lat, findLat, loadLat, cpuMs]) a.sort((x, y) => x - y);
    log(`profile lookup, ${label} (${ids.length} ids, ${found} found, ${viaSnapshot} through a snapshot, ${withChanges} of them applying membership changes since, ${withEvents} with events): p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms; findPerson p50 ${percentile(findLat, 50).toFixed(1)} / p99 ${percentile(findLat, 99).toFixed(1)}; loadProfile p50 ${percentile(loadLat, 50).toFixed(1)} / p99 ${percentile(loadLat, 99).toFixed(1)}; CPU per lookup p50 ${percentile(cpuMs, 50).toFixed(1)} / p99 ${percentile(cpuMs, 99).toFixed(1)}; load average ${loadavg()[0].toFixed(2)}`);
    return { lat, findLat, loadLat, cpuMs, found, viaSnapshot, withChanges, settle, load: loadavg()[0] };
  }
  // Right after the membership refreshes above, the snapshots' memberships are out of date (lookups read
  // them live); the next scheduled engine refresh ends by writing new snapshots. Both states are measured.
  const stale = await measureLookups(lookupsOnly ? 'as the copy was left' : 'segments refreshed since the snapshot');
  const snapshots = await time(() => engine.refreshProfileSnapshots(client));
  log(`profile snapshots rewritten in ${(snapshots.ms / 1000).toFixed(1)} s (${fmt(snapshots.result.rows)} rows)`);
  const current = await measureLookups('snapshot current');
  const found = Math.min(stale.found, current.found);

  const r1 = (x) => Math.round(x * 10) / 10;
  const idKinds = DATASET ? 'userIds, emails, anonymous ids (joined and never identified), a quarter each' : 'email or anonymous id';
  const rows = [
    { step: data.label, ms: Math.round(data.ms), detail: data.detail, target: '' },
    { step: 'full refresh (identity, traits, tags, memberships, profile snapshots)', ms: Math.round(full.ms), detail: `${fmt(f.traits.persons)} persons, ${fmt(f.identity.edges)} edges`, target: '' },
    { step: 'segment preview (3 conditions)', ms: Math.round(preview), detail: `${fmt(count)} persons; best of ${previewRuns.map((x) => Math.round(x)).join(' / ')} ms (process CPU ${previewCpu.map((x) => Math.round(x)).join(' / ')} ms); ${JSON.stringify(definition)}`, target: '< 1,000 ms' },
    { step: 'segment preview (DESIGN.md example)', ms: Math.round(example.best), detail: `${fmt(example.count)} persons; best of ${example.times.map((x) => Math.round(x)).join(' / ')} ms (process CPU ${example.cpu.map((x) => Math.round(x)).join(' / ')} ms); facebook-ad tag, viewed in 30 days, no order in 7`, target: '< 1,000 ms' },
    { step: 'membership refresh (first / with diff)', ms: Math.round(refresh2.ms), detail: `${fmt(refresh1.result.members)} members; first ${Math.round(refresh1.ms)} ms`, target: '< 10,000 ms' },
    { step: 'profile snapshots rewrite', ms: Math.round(snapshots.ms), detail: `${fmt(snapshots.result.rows)} rows (the last step of every engine refresh, included in the full refresh above)`, target: '' },
    ...[['segments refreshed since the snapshot', stale], ['snapshot current', current]].flatMap(([label, m]) => [
      { step: `profile lookup p50 (${label})`, ms: r1(percentile(m.lat, 50)), detail: `${ids.length} lookups (${idKinds}), ${m.found} found, ${m.viaSnapshot} through a snapshot (${m.withChanges} applying membership changes since); findPerson p50 ${r1(percentile(m.findLat, 50))}, loadProfile p50 ${r1(percentile(m.loadLat, 50))}`, target: '' },
      { step: `profile lookup p99 (${label})`, ms: r1(percentile(m.lat, 99)), detail: `findPerson p99 ${r1(percentile(m.findLat, 99))}, loadProfile p99 ${r1(percentile(m.loadLat, 99))}; max ${r1(m.lat[m.lat.length - 1])}; process CPU per lookup p50 ${r1(percentile(m.cpuMs, 50))} / p99 ${r1(percentile(m.cpuMs, 99))}; 1-min load average ${m.load.toFixed(2)}; after ${(m.settle.ms / 1000).toFixed(1)} s waiting for merges${m.settle.result ? '' : ' (still running)'}`, target: '< 50 ms' },
    ]),
  ];
  const machine = machineInfo();
  const command = DATASET
    ? `node bench/segments-bench.mjs --dataset-dir ${args['dataset-dir']} --lookups ${LOOKUPS}`
    : `node bench/segments-bench.mjs --shoppers ${N} --events ${E}`;
  const markdown = [
    '### segments',
    '',
    `${DATASET ? 'Simulator bulk-mode dataset' : 'Synthetic shop'} in embedded chDB on ${machineLine(machine)}; \`${command}\`; load average ${loadavg().map((x) => x.toFixed(2)).join(' / ')} (1 / 5 / 15 min) at the end.`,
    '',
    markdownTable([['step', 'step'], ['ms', 'ms'], ['detail', 'detail'], ['target', 'target']], rows),
  ].join('\n');
  process.stdout.write(`${markdown}\n`);
  const ok = (lookupsOnly || (count > 0 && refresh1.result.members === count)) && (!DATASET || found === ids.length);
  if (args['json-out']) writeFileSync(args['json-out'], JSON.stringify({ benchmark: 'segments', machine, rows, markdown, ok, verification: { previewCount: count, members: refresh1.result.members, lookups: ids.length, found } }));
  if (!ok) process.exitCode = 1;
} finally {
  await store?.close();
  if (!COPY_DIR) rmSync(dataDir, { recursive: true, force: true });
}
