import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { EVENT_ROW_COLUMNS, eventRowSchema, eventRowValues, formatClickHouseDateTime64, type EventRow } from './event-row.js';
import { createEvents } from './migrations/0001-create-events.js';

/** The text between the parenthesis opening the column list and its matching close. */
function columnList(createTable: string): string {
  const start = createTable.indexOf('(');
  let depth = 0;
  for (let i = start; i < createTable.length; i++) {
    if (createTable[i] === '(') depth++;
    if (createTable[i] === ')' && --depth === 0) return createTable.slice(start + 1, i);
  }
  throw new Error('unbalanced CREATE TABLE');
}

/** [name, ClickHouse type] of each column of the CREATE TABLE statement, in order. */
function columnsOf(createTable: string): [string, string][] {
  return columnList(createTable)
    .split('\n')
    .map((line) => line.trim().replace(/,$/, ''))
    .filter((line) => line !== '' && !/^(INDEX|PROJECTION|CONSTRAINT)\b/.test(line))
    .map((line) => {
      const [name = '', ...type] = line.split(/\s+/);
      return [name, type.join(' ')];
    });
}

/** The JSON Schema `type` a JSONEachRow value of a ClickHouse column type has. */
function jsonTypeOf(clickhouseType: string): unknown {
  const nullable = /^Nullable\((.*)\)$/.exec(clickhouseType);
  if (nullable) return [jsonTypeOf(nullable[1] ?? ''), 'null'];
  if (/^(LowCardinality\()?String\)?$/.test(clickhouseType) || clickhouseType.startsWith('DateTime64')) return 'string';
  if (clickhouseType === 'Bool') return 'boolean';
  if (clickhouseType === 'Float64') return 'number';
  if (clickhouseType === 'Array(String)') return 'array';
  throw new Error(`no JSON type for ${clickhouseType}`);
}

const row: EventRow = {
  source_id: 'src_1', message_id: 'm1', type: 'track', event: 'Order Completed', name: '',
  anonymous_id: 'anon-1', user_id: '42', group_id: '', previous_id: '',
  timestamp: '2024-05-01 12:30:00.250', original_timestamp: null, sent_at: '2024-05-01 12:30:01.000',
  received_at: '2024-05-01 12:30:01.120',
  ip: '203.0.113.7', user_agent: 'Mozilla/5.0', browser: 'Chrome', browser_version: '124.0', os: 'macOS',
  os_version: '14.4', device_type: 'desktop', is_bot: false,
  page_url: 'https://shop.example/checkout', page_path: '/checkout', page_referrer: '',
  utm_source: 'facebook', utm_medium: 'paid_social', utm_campaign: 'spring', utm_term: '', utm_content: '',
  fbclid: 'IwAR0', gclid: '', ttclid: '', msclkid: '',
  order_id: 'o-1', revenue: 25, currency: 'USD', product_ids: ['p1', 'p2'],
  properties: '{"revenue":25}', traits: '{}', context: '{}',
};

describe('event row', () => {
  const columns = columnsOf(createEvents.statements[0] ?? '');

  it('lists the columns of the events table in table order', () => {
    const names = columns.map(([name]) => name);
    expect(names).toHaveLength(40);
    expect(EVENT_ROW_COLUMNS).toEqual(names);
    expect(Object.keys(eventRowSchema.properties)).toEqual(names);
  });

  it.each(columns)('types column %s (%s) as ClickHouse writes it in JSON', (name, clickhouseType) => {
    const property = (eventRowSchema.properties as Record<string, { type: unknown; pattern?: string }>)[name];
    expect(property?.type).toEqual(jsonTypeOf(clickhouseType));
    expect(property?.pattern !== undefined).toBe(clickhouseType.includes('DateTime64'));
  });

  const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(eventRowSchema);

  it('gives a row\'s values in EVENT_ROW_COLUMNS order, every column once', () => {
    // Each column holds its own name, so the output must read back as the column list.
    const named = Object.fromEntries(EVENT_ROW_COLUMNS.map((c) => [c, c])) as unknown as EventRow;
    expect(eventRowValues(named)).toEqual([...EVENT_ROW_COLUMNS]);
  });

  it('accepts a complete row', () => {
    expect(validate(row)).toBe(true);
  });

  it.each<[string, Partial<Record<keyof EventRow, unknown>>]>([
    ['an ISO timestamp', { timestamp: '2024-05-01T12:30:00.250Z' }],
    ['a timestamp without milliseconds', { received_at: '2024-05-01 12:30:01' }],
    ['a null timestamp', { timestamp: null }],
    ['a string revenue', { revenue: '25' }],
    ['a numeric is_bot', { is_bot: 0 }],
    ['properties as an object', { properties: { revenue: 25 } }],
    ['a numeric product id', { product_ids: [1] }],
    ['an unknown column', { ...row, extra: '' } as Partial<Record<keyof EventRow, unknown>>],
  ])('rejects %s', (_name, change) => {
    expect(validate({ ...row, ...change })).toBe(false);
  });

  it('rejects a row missing a column', () => {
    const { currency: _dropped, ...rest } = row;
    expect(validate(rest)).toBe(false);
  });
});

describe('formatClickHouseDateTime64', () => {
  it.each<[number, string]>([
    [0, '1970-01-01 00:00:00.000'],
    [1714566600250, '2024-05-01 12:30:00.250'],
    [Date.UTC(2024, 1, 29, 23, 59, 59, 999), '2024-02-29 23:59:59.999'],
    [1714566600250.9, '2024-05-01 12:30:00.250'],
    [Date.UTC(1900, 0, 1), '1900-01-01 00:00:00.000'],
    [Date.UTC(2299, 11, 31, 23, 59, 59, 999), '2299-12-31 23:59:59.999'],
    [-1, '1969-12-31 23:59:59.999'],
  ])('formats %d as %s', (ms, expected) => {
    expect(formatClickHouseDateTime64(ms)).toBe(expected);
  });

  it('gives the right millis for consecutive times within one second and across seconds', () => {
    const base = Date.UTC(2026, 10, 23, 12, 0, 7);
    expect([5, 45, 999, 0, 1000, 1005].map((d) => formatClickHouseDateTime64(base + d))).toEqual([
      '2026-11-23 12:00:07.005',
      '2026-11-23 12:00:07.045',
      '2026-11-23 12:00:07.999',
      '2026-11-23 12:00:07.000',
      '2026-11-23 12:00:08.000',
      '2026-11-23 12:00:08.005',
    ]);
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [Date.UTC(1899, 11, 31, 23, 59, 59, 999)], [Date.UTC(2300, 0, 1)]])(
    'throws a RangeError for %d',
    (ms) => {
      expect(() => formatClickHouseDateTime64(ms)).toThrow(RangeError);
    },
  );
});
