/**
 * Loads the advertising side (ad spend, exchange rates, affiliates) into ClickHouse: from CSV files
 * (`sextant demo --import <dir>`, the path later issues and real stores use) or straight from the
 * simulation. An import replaces the rows of the days (or affiliates) it covers, so importing the
 * same file twice leaves one copy.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '@sextant/store';
import type { AdSpendRow, AffiliateRow, ExchangeRateRow } from '../advertising/ad-spend.js';
import { parseCsv, toCsv } from './csv-format.js';
import { SIDE_TABLES, sideTable, type SideTable } from './side-tables.js';

export type SideRows = Record<string, string | number>;

export interface SideData {
  ad_spend: readonly AdSpendRow[];
  exchange_rates: readonly ExchangeRateRow[];
  affiliates: readonly AffiliateRow[];
}

export class CsvImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvImportError';
  }
}

/** Typed rows of one CSV file; throws a CsvImportError naming the lines that are wrong. */
export function parseSideTableCsv(table: SideTable, text: string): SideRows[] {
  const { header, rows } = parseCsv(text);
  const missing = table.columns.filter((c) => !header.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) throw new CsvImportError(`${table.file}: missing columns ${missing.join(', ')} (expected ${table.columns.map((c) => c.name).join(',')})`);
  const problems: string[] = [];
  const out: SideRows[] = [];
  rows.forEach((record, r) => {
    const row: SideRows = {};
    for (const column of table.columns) {
      const raw = (record[header.indexOf(column.name)] ?? '').trim();
      const value = convert(column.type, raw);
      if (value === undefined) problems.push(`line ${r + 2}: ${column.name} must be ${describe(column.type)}, got "${raw}"`);
      else row[column.name] = value;
    }
    out.push(row);
  });
  if (problems.length > 0) throw new CsvImportError(`${table.file}: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
  return out;
}

function convert(type: SideTable['columns'][number]['type'], raw: string): string | number | undefined {
  switch (type) {
    case 'string':
      return raw;
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(Date.parse(raw)) ? raw : undefined;
    case 'uint':
      return /^\d+$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : undefined;
    case 'float': {
      const n = Number(raw);
      return raw !== '' && Number.isFinite(n) ? n : undefined;
    }
  }
}

function describe(type: SideTable['columns'][number]['type']): string {
  return { string: 'text', date: 'a date YYYY-MM-DD', uint: 'a whole number ≥ 0', float: 'a number' }[type];
}

/** Replaces the rows these rows cover, then inserts them. Returns how many were inserted. */
export async function insertSideRows(store: Pick<Store, 'client' | 'insertRaw'>, table: SideTable, rows: readonly object[], sourceId: string): Promise<number> {
  if (rows.length === 0) return 0;
  await deleteCovered(store.client, table, rows, sourceId);
  const columns = [...(table.perSource ? ['source_id'] : []), ...table.columns.map((c) => c.name)];
  const body = rows.map((r) => JSON.stringify(table.perSource ? { source_id: sourceId, ...r } : r)).join('\n') + '\n';
  await store.insertRaw({ table: table.table, format: 'JSONEachRow', columns, body: Buffer.from(body) });
  return rows.length;
}

async function deleteCovered(client: Store['client'], table: SideTable, rows: readonly object[], sourceId: string): Promise<void> {
  const keys = [...new Set(rows.map((r) => String((r as SideRows)[table.replaceBy])))];
  const keyType = table.replaceBy === 'date' ? 'Array(Date)' : 'Array(String)';
  const sourceFilter = table.perSource ? 'source_id = {sourceId:String} AND ' : '';
  await client.command({
    query: `DELETE FROM ${table.table} WHERE ${sourceFilter}${table.replaceBy} IN {keys:${keyType}}`,
    query_params: { keys, sourceId },
  });
}

/** Writes `ad-spend.csv`, `exchange-rates.csv`, `affiliates.csv` into `dir`; returns their paths. */
export function writeSideDataCsv(dir: string, data: SideData): string[] {
  mkdirSync(dir, { recursive: true });
  return SIDE_TABLES.map((t) => {
    const file = path.join(dir, t.file);
    writeFileSync(file, toCsv(t.columns.map((c) => c.name), data[t.table] as readonly object[] as readonly Record<string, unknown>[]));
    return file;
  });
}

/** Imports whichever of the three files `dir` holds. Returns rows imported per table. */
export async function importSideDataCsv(store: Pick<Store, 'client' | 'insertRaw'>, dir: string, sourceId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const present = SIDE_TABLES.filter((t) => existsSync(path.join(dir, t.file)));
  if (present.length === 0) throw new CsvImportError(`${dir} holds none of ${SIDE_TABLES.map((t) => t.file).join(', ')}`);
  // Parse every file before touching the tables: a bad file imports nothing.
  const parsed = present.map((t) => ({ t, rows: parseSideTableCsv(t, readFileSync(path.join(dir, t.file), 'utf8')) }));
  for (const { t, rows } of parsed) counts[t.table] = await insertSideRows(store, t, rows, sourceId);
  return counts;
}

/** Inserts the simulation's side data directly (bulk mode, or a demo whose server shares our process). */
export async function insertSideData(store: Pick<Store, 'client' | 'insertRaw'>, data: SideData, sourceId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of SIDE_TABLES) counts[t.table] = await insertSideRows(store, sideTable(t.table), data[t.table], sourceId);
  return counts;
}
