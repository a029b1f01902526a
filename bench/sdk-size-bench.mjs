#!/usr/bin/env node
// The browser SDK's size: the one-file IIFE the snippet loads, unminified (raw), minified, and
// compressed as servers send it (gzip -9, brotli). Budget: 6 KB gzipped, also enforced by
// sdk-browser/src/size-budget.test.ts. Needs `npm run build` first (`npm run bench` does it).
// Prints a markdown table and the rows as JSON; `--json-out <file>` also writes the JSON there.
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { machineInfo, markdownTable } from './report-table.mjs';

const BUDGET_GZIP_BYTES = 6 * 1024;
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'sdk-browser', 'dist');

const COLUMNS = [
  ['file', 'file'],
  ['raw', 'raw (unminified) bytes'],
  ['min', 'minified bytes'],
  ['gzip', 'gzip -9 bytes'],
  ['brotli', 'brotli bytes'],
  ['budget', 'gzip budget'],
];

function read(file) {
  const p = path.join(dist, file);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first`);
  return readFileSync(p);
}

export function runSdkSizeBench() {
  const sizes = (file, rawFile) => {
    const min = read(file);
    return {
      file,
      raw: rawFile ? read(rawFile).length : undefined,
      min: min.length,
      gzip: gzipSync(min, { level: 9 }).length,
      brotli: brotliCompressSync(min, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      budget: BUDGET_GZIP_BYTES,
    };
  };
  const rows = [sizes('sextant.js', 'sextant.debug.js'), sizes('sextant.lite.js')];
  const ok = rows.every((r) => r.gzip <= BUDGET_GZIP_BYTES);
  const markdown = [
    '### Browser SDK size',
    '',
    markdownTable(COLUMNS, rows),
    '',
    '- `sextant.js`: everything (autocapture, e-commerce helpers); `sextant.lite.js`: built without them. Zero runtime dependencies.',
    `- ${ok ? 'Within' : '**Over**'} the ${BUDGET_GZIP_BYTES.toLocaleString('en-US')}-byte gzip budget.`,
  ].join('\n');
  return { benchmark: 'sdk-size', machine: machineInfo(), rows, verification: { budgetGzipBytes: BUDGET_GZIP_BYTES, withinBudget: ok }, markdown, ok };
}

const isMain = Boolean(process.argv[1]) && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
if (isMain) {
  const jsonOutAt = process.argv.indexOf('--json-out');
  const jsonOut = jsonOutAt > 0 ? process.argv[jsonOutAt + 1] : undefined;
  try {
    const result = runSdkSizeBench();
    process.stdout.write(`\n${result.markdown}\n\n`);
    process.stdout.write(`${JSON.stringify({ benchmark: result.benchmark, machine: result.machine, rows: result.rows, verification: result.verification })}\n`);
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2));
    if (!result.ok) {
      process.stderr.write('sdk size bench: over the gzip budget\n');
      process.exitCode = 1;
    }
  } catch (err) {
    process.stderr.write(`sdk size bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
