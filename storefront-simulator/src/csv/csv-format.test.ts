import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from './csv-format.js';
import { CsvImportError, parseSideTableCsv } from './import-side-table.js';
import { sideTable } from './side-tables.js';

describe('CSV', () => {
  it.each([
    ['plain', 'abc'],
    ['comma', 'a,b'],
    ['quote', 'say "hi"'],
    ['line break', 'one\ntwo'],
    ['empty', ''],
  ])('round-trips a field with %s', (_, value) => {
    const text = toCsv(['x', 'y'], [{ x: value, y: 1 }]);
    expect(parseCsv(text)).toEqual({ header: ['x', 'y'], rows: [[value, '1']] });
  });

  it('reads CRLF line ends and a byte-order mark (spreadsheet exports)', () => {
    expect(parseCsv('\ufeffa,b\r\n1,2\r\n')).toEqual({ header: ['a', 'b'], rows: [['1', '2']] });
  });

  it('types the rows of an ad spend file', () => {
    const text = 'date,channel,utm_source,utm_medium,campaign_id,campaign,ad_set_id,ad_set,currency,impressions,clicks,spend\n2025-05-01,facebook_ads,facebook,paid_social,fb_c1,fb_prospecting_broad,fb_c1_as1,video_ugc,USD,12000,140,131.5\n';
    expect(parseSideTableCsv(sideTable('ad_spend'), text)).toEqual([
      { date: '2025-05-01', channel: 'facebook_ads', utm_source: 'facebook', utm_medium: 'paid_social', campaign_id: 'fb_c1', campaign: 'fb_prospecting_broad', ad_set_id: 'fb_c1_as1', ad_set: 'video_ugc', currency: 'USD', impressions: 12000, clicks: 140, spend: 131.5 },
    ]);
  });

  it.each([
    ['a missing column', 'date,currency\n2025-05-01,EUR\n', /missing columns usd_rate/],
    ['a bad date', 'date,currency,usd_rate\n05/01/2025,EUR,0.9\n', /line 2: date must be a date YYYY-MM-DD/],
    ['a bad number', 'date,currency,usd_rate\n2025-05-01,EUR,abc\n', /line 2: usd_rate must be a number/],
  ])('refuses a file with %s, naming the line', (_, text, message) => {
    expect(() => parseSideTableCsv(sideTable('exchange_rates'), text)).toThrow(CsvImportError);
    expect(() => parseSideTableCsv(sideTable('exchange_rates'), text)).toThrow(message);
  });
});
