/**
 * What `sextant demo` (ingest-service's CLI) needs from this package besides the runners: parsing of
 * its option values and the summary lines it prints.
 */
import type { BulkBuildResult } from '../run/run-bulk-build.js';
import type { DemoResult, DemoSpeed } from '../run/run-http-demo.js';

export class DemoOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoOptionError';
  }
}

/** `backfill`, `live`, or events per second (a positive number). */
export function parseDemoSpeed(value: string): DemoSpeed {
  if (value === 'backfill' || value === 'live') return value;
  const n = Number(value);
  if (Number.isFinite(n) && n > 0) return n;
  throw new DemoOptionError(`--speed must be backfill, live or events per second (a positive number), got "${value}"`);
}

export function parsePositive(name: string, value: string, integer = true): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new DemoOptionError(`${name} must be a positive ${integer ? 'whole ' : ''}number, got "${value}"`);
  }
  return n;
}

/** An ISO date-time (or date) for `--end`, as epoch ms. */
export function parseEnd(value: string): number {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new DemoOptionError(`--end must be an ISO date-time like 2025-06-01T00:00:00Z, got "${value}"`);
  return ms;
}

const n = (x: number) => x.toLocaleString('en-US');

export function formatDemoSummary(result: DemoResult, target: string): string {
  const lines = [
    `demo: ${n(result.generated)} events from ${n(result.shoppers)} shoppers (${result.window.start} → ${result.window.end}) sent to ${target} in ${result.seconds.toFixed(1)} s`,
    `  acknowledged (stored): ${n(result.sent)}, rejected: ${n(result.rejected)}, failed after retries: ${n(result.failed)} (${n(result.requests)} requests, ${n(result.retries)} retries)`,
    `  advertising side: ${n(result.sideData.adSpendRows)} ad spend rows, ${n(result.sideData.exchangeRateRows)} exchange rates, ${n(result.sideData.affiliateRows)} affiliates` +
      (result.sideData.inserted ? ' (inserted)' : result.sideData.csvFiles ? '' : ' (not stored: pass --csv-dir to write them, then --import)'),
  ];
  if (result.sideData.csvFiles) lines.push(`  CSV files: ${result.sideData.csvFiles.join(', ')}`);
  for (const p of result.problems) lines.push(`  problem: ${p}`);
  return lines.join('\n');
}

export function formatBulkSummary(result: BulkBuildResult, target: string): string {
  return [
    `bulk: ${n(result.events)} events from ${n(result.shoppers)} shoppers (${result.window.start} → ${result.window.end}) inserted into ${target} in ${result.seconds.toFixed(1)} s (${n(result.eventsPerSecond)} events/s), source ${result.sourceId}`,
    `  advertising side: ${Object.entries(result.sideData).map(([t, c]) => `${t} ${n(c)}`).join(', ')}`,
  ].join('\n');
}
