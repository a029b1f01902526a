#!/usr/bin/env node
// Journey analytics benchmark: a synthetic shop of N shoppers / E events generated inside chDB with
// INSERT ... SELECT FROM numbers(E) (landing pages with channels, views, adds, checkouts, orders), then
//   1. a 4-step funnel with a channel breakdown (target < 1 s);
//   2. attribution with all seven models (target < 3 s);
//   3. the KPI overview with DoD/MoM/YoY (target < 1 s).
// Each timed query runs 3 times; the median is reported.
// Usage: node bench/analytics-bench.mjs [--shoppers 1000000] [--events 20000000] [--json-out file]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { machineInfo, machineLine, markdownTable } from './report-table.mjs';

const { values: args } = parseArgs({ options: { shoppers: { type: 'string', default: '1000000' }, events: { type: 'string', default: '20000000' }, 'json-out': { type: 'string' } } });
const N = Number(args.shoppers);
const E = Number(args.events);
const engine = await import('../segment-engine/dist/index.js');
const dataDir = mkdtempSync(path.join(tmpdir(), 'sextant-analytics-bench-'));
const store = await engine.openEngineStore({ dataDir });
const client = store.client;
const log = (msg) => process.stderr.write(`[analytics-bench] ${msg}\n`);
const median = async (fn) => {
  const ms = [];
  let result;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    result = await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { ms: ms[1], result };
};
let ok = true;
const rows = [];
try {
  const t0 = performance.now();
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

  const funnelDef = { steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Checkout Started' }, { event: 'Order Completed' }], window_seconds: 7 * 86400, from: '2024-06-01', to: '2024-07-01', breakdown: { property: 'country' } };
  const f = await median(() => engine.runFunnel(client, funnelDef, { asOf: new Date('2025-01-01T00:00:00Z') }));
  log(`funnel ${f.ms.toFixed(0)} ms, entered ${f.result.total.entered}`);
  rows.push(['4-step funnel, breakdown by country (June)', `${f.result.total.entered} entered, ${f.result.breakdown.length} groups`, `${f.ms.toFixed(0)} ms`, '< 1 s']);
  const a = await median(() => engine.runAttribution(client, { from: '2024-06-01', to: '2024-07-01', touch_events: [] }));
  log(`attribution ${a.ms.toFixed(0)} ms, conversions ${a.result.totals.conversions}`);
  rows.push(['attribution, 7 models (June, 30-day lookback)', `${a.result.totals.conversions} conversions`, `${a.ms.toFixed(0)} ms`, '< 3 s']);
  const k = await median(() => engine.kpiOverview(client, { date: '2024-06-15' }));
  rows.push(['KPI overview (day, DoD/MoM/YoY)', `${k.result.kpis.sessions.value} sessions`, `${k.ms.toFixed(0)} ms`, '< 1 s']);
  log(`kpis ${k.ms.toFixed(0)} ms`);
  ok &&= f.result.total.entered > 0 && a.result.totals.conversions > 0;
} catch (err) {
  ok = false;
  log(`failed: ${err.stack ?? err}`);
} finally {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
}
const markdown = `### Journey analytics (funnel, attribution, KPIs)\n\n${machineLine(machineInfo())}\n\nSynthetic shop built in chDB (INSERT … SELECT FROM numbers), not the simulator. Median of 3 runs.\n\n${markdownTable([['what', 'what'], ['size', 'size'], ['time', 'time'], ['target', 'target']], rows.map(([what, size, time, target]) => ({ what, size, time, target })))}`;
process.stdout.write(`${markdown}\n`);
if (args['json-out']) writeFileSync(args['json-out'], JSON.stringify({ benchmark: 'analytics', machine: machineInfo(), rows, markdown, ok }));
process.exit(ok ? 0 : 1);
