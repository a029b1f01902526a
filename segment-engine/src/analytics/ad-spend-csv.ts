/**
 * Parses and validates an uploaded ad spend CSV (the header of the simulator's `ad-spend.csv`, see
 * `sextant demo --import`). All rows are checked before anything is written: one bad cell rejects
 * the whole file, with the line and column of each problem.
 */
import { parse } from 'csv-parse/sync';
import type { AdSpendRow } from '@sextant/schemas';
import { EngineError } from '../errors.js';
import { CHANNEL_NAMES } from './channel-sql.js';

/** One `ad_spend` row as the upload carries it. */
export type AdSpendCsvRow = AdSpendRow;

/** A problem with one cell (or the header, line 1) of the upload. */
export interface AdSpendCsvIssue {
  /** `line 3, spend`: the shape of `INVALID_DEFINITION` issues. */
  path: string;
  line: number;
  column: string;
  message: string;
}

type Kind = 'date' | 'channel' | 'text' | 'currency' | 'count' | 'amount';
interface Column { name: keyof AdSpendCsvRow; kind: Kind; required: boolean; default?: string }

/**
 * Only what identifies the spend is required; the rest defaults so a short export from an ad
 * platform (date, channel, spend) is enough for ROAS and CPA.
 */
export const AD_SPEND_CSV_COLUMNS: readonly Column[] = [
  { name: 'date', kind: 'date', required: true },
  { name: 'channel', kind: 'channel', required: true },
  { name: 'utm_source', kind: 'text', required: false, default: '' },
  { name: 'utm_medium', kind: 'text', required: false, default: '' },
  { name: 'campaign_id', kind: 'text', required: false, default: '' },
  { name: 'campaign', kind: 'text', required: false, default: '' },
  { name: 'ad_set_id', kind: 'text', required: false, default: '' },
  { name: 'ad_set', kind: 'text', required: false, default: '' },
  { name: 'currency', kind: 'currency', required: false, default: 'USD' },
  { name: 'impressions', kind: 'count', required: false, default: '0' },
  { name: 'clicks', kind: 'count', required: false, default: '0' },
  { name: 'spend', kind: 'amount', required: true },
];

/** Upload limits: ~10 MB is years of daily spend per ad set for a DTC brand. */
export const AD_SPEND_CSV_MAX_BYTES = 10 * 1024 * 1024;
export const AD_SPEND_CSV_MAX_ROWS = 100_000;
const MAX_ISSUES = 20;
const MAX_TEXT = 500;

/** Typed rows of an ad spend CSV; throws `INVALID_DEFINITION` (400) listing up to 20 issues with line and column. */
export function parseAdSpendCsv(text: string): AdSpendCsvRow[] {
  const issues: AdSpendCsvIssue[] = [];
  const issue = (line: number, column: string, message: string) => {
    issues.push({ path: `line ${line}, ${column}`, line, column, message });
  };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024 }) as unknown as typeof records; // info: true wraps each record
  } catch (err) {
    const line = typeof (err as { lines?: unknown }).lines === 'number' ? (err as { lines: number }).lines : 1;
    issue(line, '(file)', `not readable as CSV: ${(err as Error).message}`);
    throw invalid(issues);
  }
  const [headerRecord, ...body] = records;
  if (!headerRecord) {
    issue(1, '(header)', `the file is empty; expected a header line ${AD_SPEND_CSV_COLUMNS.map((c) => c.name).join(',')}`);
    throw invalid(issues);
  }
  const header = headerRecord.record.map((h) => h.trim().toLowerCase());
  for (const c of AD_SPEND_CSV_COLUMNS) if (c.required && !header.includes(c.name)) issue(1, c.name, 'required column is missing from the header');
  // Unknown or repeated columns are rejected rather than ignored: a misspelt "spend" must not load as 0.
  header.forEach((h, i) => {
    if (!AD_SPEND_CSV_COLUMNS.some((c) => c.name === h)) issue(1, h || `#${i + 1}`, `unknown column (expected some of ${AD_SPEND_CSV_COLUMNS.map((c) => c.name).join(', ')})`);
    else if (header.indexOf(h) !== i) issue(1, h, 'column appears twice');
  });
  if (issues.length > 0) throw invalid(issues);
  if (body.length === 0) {
    issue(2, '(file)', 'no data rows');
    throw invalid(issues);
  }
  if (body.length > AD_SPEND_CSV_MAX_ROWS) {
    issue(AD_SPEND_CSV_MAX_ROWS + 2, '(file)', `more than ${AD_SPEND_CSV_MAX_ROWS} rows; split the file`);
    throw invalid(issues);
  }
  const rows: AdSpendCsvRow[] = [];
  let stoppedEarly = false;
  for (const { record, info } of body) {
    if (issues.length >= MAX_ISSUES) {
      stoppedEarly = true;
      break;
    }
    // info.lines is where the record ends; a quoted field may span lines, so count back to its start.
    const line = info.lines - record.reduce((n, f) => n + (f.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
    if (record.length !== header.length) {
      issue(line, '(row)', `has ${record.length} fields, the header has ${header.length}`);
      continue;
    }
    const row: Record<string, string | number> = {};
    for (const c of AD_SPEND_CSV_COLUMNS) {
      const i = header.indexOf(c.name);
      const raw = i < 0 ? (c.default as string) : (record[i] as string).trim();
      const value = convert(c, raw === '' && !c.required && c.default !== undefined ? c.default : raw);
      if (typeof value === 'object') issue(line, c.name, `${value.error}, got "${raw.slice(0, 50)}"`);
      else row[c.name] = value;
    }
    rows.push(row as unknown as AdSpendCsvRow);
  }
  if (issues.length > 0) throw invalid(issues, stoppedEarly);
  return rows;
}

function convert(c: Column, raw: string): string | number | { error: string } {
  switch (c.kind) {
    case 'date':
      return isDate(raw) ? raw : { error: 'must be a date YYYY-MM-DD' };
    case 'channel':
      return (CHANNEL_NAMES as readonly string[]).includes(raw) ? raw : { error: `must be one of ${CHANNEL_NAMES.join(', ')}` };
    case 'text':
      return raw.length <= MAX_TEXT ? raw : { error: `must be at most ${MAX_TEXT} characters` };
    case 'currency':
      return /^[A-Za-z]{3}$/.test(raw) ? raw.toUpperCase() : { error: 'must be a 3-letter currency code (ISO 4217, e.g. USD)' };
    case 'count':
      return /^\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : { error: 'must be a whole number ≥ 0' };
    case 'amount': {
      // Plain decimals only: "1e3", "0x10" or "Infinity" are not what an ad platform exports.
      const n = Number(raw);
      return /^\d+(\.\d+)?$/.test(raw) && Number.isFinite(n) ? n : { error: 'must be a number ≥ 0 (digits and an optional decimal point)' };
    }
  }
}

/** A real calendar day (2024-02-30 is not), within what ClickHouse's `Date` holds. */
function isDate(raw: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return false;
  const d = new Date(`${raw}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === raw && raw >= '1970-01-01' && raw <= '2149-06-06';
}

/** `details.issues` holds the first 20; `truncated` says the file has more (checking stopped there). */
function invalid(issues: AdSpendCsvIssue[], stoppedEarly = false): EngineError {
  const shown = issues.slice(0, MAX_ISSUES);
  const truncated = stoppedEarly || issues.length > MAX_ISSUES;
  const summary = shown.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ');
  return new EngineError('INVALID_DEFINITION', `the ad spend CSV is not valid: ${summary}${shown.length > 3 || truncated ? '; …' : ''}`, { issues: shown, truncated });
}
