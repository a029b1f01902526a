#!/usr/bin/env node
// Segment engine benchmark: a synthetic shop of N shoppers / E events generated inside chDB with
// `INSERT ... SELECT FROM numbers(E)` (the simulator's bulk mode is not available yet), then
//   1. the full refresh (identity edges + resolution, computed traits, tags) — reported, no target;
//   2. segment preview of a three-condition definition (target < 1 s);
//   3. full membership refresh of that segment (target < 10 s);
//   4. profile lookup by an identifier, p50/p99 over many lookups (target p99 < 50 ms).
// Usage: node bench/segments-bench.mjs [--shoppers 1000000] [--events 20000000] [--lookups 200] [--json-out file]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo, machineLine, markdownTable } from './report-table.mjs';

const { values: args } = parseArgs({
  options: {
    shoppers: { type: 'string', default: '1000000' },
    events: { type: 'string', default: '20000000' },
    lookups: { type: 'string', default: '200' },
    'json-out': { type: 'string' },
  },
});
const N = Number(args.shoppers);
const E = Number(args.events);
const LOOKUPS = Number(args.lookups);
const engine = await import('../segment-engine/dist/index.js');

const dataDir = mkdtempSync(path.join(tmpdir(), 'sextant-segments-bench-'));
const store = await engine.openEngineStore({ dataDir });
const client = store.client;
const log = (msg) => process.stderr.write(`[segments-bench] ${msg}\n`);
const time = async (fn) => {
  const t = performance.now();
  const result = await fn();
  return { ms: performance.now() - t, result };
};

try {
  // Half the shoppers log in (userId on a third of their events, one identify with an email); every
  // fifth logged-in shopper also uses a second device. Events spread over the last year.
  log(`generating ${N.toLocaleString()} shoppers / ${E.toLocaleString()} events`);
  const gen = await time(() =>
    client.command({
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

  const full = await time(() => engine.refreshEngine(client, store, {}));
  const f = full.result;
  log(`full refresh ${(full.ms / 1000).toFixed(1)} s: ${f.identity.persons} multi-id persons, ${f.traits.persons} persons, ${f.tags.rows} tag rows`);

  const definition = {
    type: 'and',
    conditions: [
      { type: 'computed', trait: 'first_touch_source', op: 'in', value: ['facebook', 'instagram'] },
      { type: 'event', event: 'Product Viewed', within_days: 30, where: [{ property: 'category', op: 'eq', value: 'shoes' }] },
      { type: 'event', event: 'Order Completed', did: false, within_days: 90 },
    ],
  };
  const compiled = engine.compileSegment(definition);
  const previewRuns = [];
  let count = 0;
  for (let i = 0; i < 3; i++) {
    const p = await time(async () => {
      const rs = await client.query({ query: `SELECT count() AS c, groupArray(10)(toString(person_id)) AS sample FROM (${engine.matchingPersonsSql(compiled)})`, query_params: compiled.params, format: 'JSONEachRow' });
      return (await rs.json())[0];
    });
    previewRuns.push(p.ms);
    count = Number(p.result.c);
  }
  const preview = Math.min(...previewRuns);
  log(`preview: ${count} persons, best ${preview.toFixed(0)} ms of ${previewRuns.map((x) => x.toFixed(0)).join('/')}`);

  const repo = new engine.SegmentRepository(client);
  const segment = await repo.create('segment', { name: 'bench', description: '', definition });
  const refresh1 = await time(() => engine.refreshSegmentMembership(client, segment));
  const refresh2 = await time(() => engine.refreshSegmentMembership(client, segment));
  log(`membership refresh: ${refresh1.result.members} members, ${refresh1.ms.toFixed(0)} ms first, ${refresh2.ms.toFixed(0)} ms second (diff vs previous)`);

  const lat = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const s = (i * 7919) % N;
    const id = i % 2 === 0 && s % 2 === 0 ? `shopper${s}@example.com` : `anon-${s}`;
    const t = performance.now();
    const person = await engine.findPerson(client, id);
    if (person) await engine.loadProfile(client, person);
    lat.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];
  log(`profile lookup p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms`);

  const rows = [
    { step: 'synthetic data (INSERT … SELECT)', ms: Math.round(gen.ms), detail: `${N.toLocaleString('en-US')} shoppers, ${E.toLocaleString('en-US')} events`, target: '' },
    { step: 'full refresh (identity, traits, tags)', ms: Math.round(full.ms), detail: `${f.traits.persons.toLocaleString('en-US')} persons, ${f.identity.edges.toLocaleString('en-US')} edges`, target: '' },
    { step: 'segment preview (3 conditions)', ms: Math.round(preview), detail: `${count.toLocaleString('en-US')} persons`, target: '< 1,000 ms' },
    { step: 'membership refresh (first / with diff)', ms: Math.round(refresh2.ms), detail: `${refresh1.result.members.toLocaleString('en-US')} members; first ${Math.round(refresh1.ms)} ms`, target: '< 10,000 ms' },
    { step: 'profile lookup p50', ms: Math.round(pct(50) * 10) / 10, detail: `${LOOKUPS} lookups by email or anonymous id`, target: '' },
    { step: 'profile lookup p99', ms: Math.round(pct(99) * 10) / 10, detail: '', target: '< 50 ms' },
  ];
  const machine = machineInfo();
  const markdown = [
    '### segments',
    '',
    `Synthetic shop in embedded chDB on ${machineLine(machine)}; \`node bench/segments-bench.mjs --shoppers ${N} --events ${E}\`.`,
    '',
    markdownTable([['step', 'step'], ['ms', 'ms'], ['detail', 'detail'], ['target', 'target']], rows),
  ].join('\n');
  process.stdout.write(`${markdown}\n`);
  const ok = count > 0 && refresh1.result.members === count;
  if (args['json-out']) writeFileSync(args['json-out'], JSON.stringify({ benchmark: 'segments', machine, rows, markdown, ok, verification: { previewCount: count, members: refresh1.result.members } }));
  if (!ok) process.exitCode = 1;
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
