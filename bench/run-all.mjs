#!/usr/bin/env node
// `npm run bench`: runs every benchmark below, one after the other, each as its own process (each
// starts its own server; chDB allows one data dir per process), and writes the combined tables to
// bench/results.md. Add a benchmark: one script that accepts `--json-out <file>` and writes
// `{ benchmark, machine, rows, markdown, ok }` there, plus one line here.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, machineLine } from './report-table.mjs';

const BENCHMARKS = [
  { name: 'ingest', script: 'ingest-bench.mjs', timeoutMs: 5 * 60_000 },
  { name: 'kafka', script: 'kafka-bench.mjs', timeoutMs: 5 * 60_000 },
  { name: 'sdk', script: 'sdk-size-bench.mjs', timeoutMs: 60_000 },
  { name: 'segments', script: 'segments-bench.mjs', timeoutMs: 30 * 60_000 },
  { name: 'analytics', script: 'analytics-bench.mjs', timeoutMs: 30 * 60_000 },
  { name: 'dataset', script: 'dataset-bench.mjs', timeoutMs: 15 * 60_000 },
  { name: 'activation', script: 'activation-bench.mjs', timeoutMs: 10 * 60_000 },
];

const here = path.dirname(fileURLToPath(import.meta.url));
const resultsPath = path.join(here, 'results.md');

function runBenchmark({ script, timeoutMs }, jsonOut) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(here, script), '--json-out', jsonOut], { stdio: 'inherit' });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

const tmp = mkdtempSync(path.join(tmpdir(), 'sextant-bench-results-'));
const sections = [];
const all = [];
let failed = 0;
try {
  for (const bench of BENCHMARKS) {
    const jsonOut = path.join(tmp, `${bench.name}.json`);
    const exit = await runBenchmark(bench, jsonOut);
    let result;
    try {
      result = JSON.parse(readFileSync(jsonOut, 'utf8'));
    } catch {
      result = undefined;
    }
    if (!result) {
      failed += 1;
      sections.push(`### ${bench.name}\n\nFailed (exit ${exit.code ?? exit.signal}); no results.`);
      continue;
    }
    if (exit.code !== 0 || !result.ok) failed += 1;
    sections.push(result.ok ? result.markdown : `${result.markdown}\n\n**Verification failed**: ${JSON.stringify(result.verification)}`);
    all.push({ benchmark: result.benchmark, rows: result.rows, verification: result.verification });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const machine = machineInfo();
const markdown = [
  '# Sextant benchmark results',
  '',
  `Run ${new Date().toISOString()} with \`npm run bench\` on ${machineLine(machine)}.`,
  'Each benchmark starts its server processes on fresh data dirs (the Kafka one also a local broker) and drives them from another process.',
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');
writeFileSync(resultsPath, markdown);
process.stdout.write(`\n${markdown}\nwritten to ${resultsPath}\n`);
process.stdout.write(`${JSON.stringify({ machine, benchmarks: all })}\n`);
if (failed > 0) process.exitCode = 1;
