/**
 * The CSV files of the advertising side and the tables they load into (schemas migration 0003):
 * the columns of each file, their types, and which rows an import replaces.
 */
export type ColumnType = 'string' | 'date' | 'uint' | 'float';

export interface SideTable {
  table: 'ad_spend' | 'exchange_rates' | 'affiliates';
  /** The file name the simulator writes (`--csv-dir`) and `--import` reads. */
  file: string;
  columns: readonly { name: string; type: ColumnType }[];
  /** Rows with these values of the imported rows are deleted first, so a re-import replaces. */
  replaceBy: 'date' | 'affiliate_id';
  /** Whether rows belong to a source (a `source_id` column not in the file). */
  perSource: boolean;
}

export const SIDE_TABLES: readonly SideTable[] = [
  {
    table: 'ad_spend',
    file: 'ad-spend.csv',
    columns: [
      { name: 'date', type: 'date' }, { name: 'channel', type: 'string' }, { name: 'utm_source', type: 'string' },
      { name: 'utm_medium', type: 'string' }, { name: 'campaign_id', type: 'string' }, { name: 'campaign', type: 'string' },
      { name: 'ad_set_id', type: 'string' }, { name: 'ad_set', type: 'string' }, { name: 'currency', type: 'string' },
      { name: 'impressions', type: 'uint' }, { name: 'clicks', type: 'uint' }, { name: 'spend', type: 'float' },
    ],
    replaceBy: 'date',
    perSource: true,
  },
  {
    table: 'exchange_rates',
    file: 'exchange-rates.csv',
    columns: [{ name: 'date', type: 'date' }, { name: 'currency', type: 'string' }, { name: 'usd_rate', type: 'float' }],
    replaceBy: 'date',
    perSource: false,
  },
  {
    table: 'affiliates',
    file: 'affiliates.csv',
    columns: [
      { name: 'affiliate_id', type: 'string' }, { name: 'name', type: 'string' }, { name: 'kind', type: 'string' },
      { name: 'utm_source', type: 'string' }, { name: 'commission_rate', type: 'float' },
    ],
    replaceBy: 'affiliate_id',
    perSource: true,
  },
];

export function sideTable(table: SideTable['table']): SideTable {
  const t = SIDE_TABLES.find((s) => s.table === table);
  if (!t) throw new Error(`no side table ${table}`);
  return t;
}
