import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Store } from '@sextant/store';
import { DefinitionError } from '../errors.js';
import { sendEngineErrors } from './engine-error-handler.js';
import { AD_SPEND_CSV_COLUMNS, AD_SPEND_CSV_MAX_BYTES, parseAdSpendCsv } from '../analytics/ad-spend-csv.js';
import { adSpendTotals, replaceAdSpend } from '../analytics/ad-spend-table.js';

export interface AdSpendRoutesOptions {
  store: Store;
  /** Adds the admin bearer-token check (and the route `config.role` check) to the plugin. */
  requireAuth: (app: FastifyInstance) => void;
}

const secured = { security: [{ bearerAuth: [] }], tags: ['analytics'] };
const dateRe = '^\\d{4}-\\d{2}-\\d{2}$';
const sourceIdRe = '^[A-Za-z0-9_-]{1,64}$';

/**
 * Ad spend upload under `/api/analytics/ad-spend`, so ROAS, CPA and the ads KPIs work without the CLI
 * import. Uploading needs `marketer` (or admin); reading totals needs any token.
 */
export const adSpendRoutes: FastifyPluginAsync<AdSpendRoutesOptions> = async (app, options) => {
  const client = options.store.client;
  options.requireAuth(app);
  // Scoped to this plugin: only these routes take CSV bodies.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: AD_SPEND_CSV_MAX_BYTES }, (_request, body, done) => done(null, body));
  sendEngineErrors(app);

  app.post<{ Body: string; Querystring: { source_id?: string } }>('/api/analytics/ad-spend', {
    config: { role: 'marketer' },
    bodyLimit: AD_SPEND_CSV_MAX_BYTES,
    schema: {
      ...secured,
      summary: 'Upload ad spend as CSV (text/csv); replaces the rows of the days and channels it covers',
      description: `Header: ${AD_SPEND_CSV_COLUMNS.map((c) => (c.required ? c.name : `[${c.name}]`)).join(',')} (bracketed columns are optional). `
        + 'Every row is checked first: one bad row rejects the file (400 with line and column of each problem) and nothing is written. '
        + 'With source_id, only that source\'s rows of the covered days and channels are replaced; without it, the rows of every source '
        + '(the file is the spend of those days and channels, so spend imported earlier under a source is not counted twice).',
      consumes: ['text/csv'],
      querystring: { type: 'object', properties: { source_id: { type: 'string', pattern: sourceIdRe } }, additionalProperties: false },
      body: { type: 'string', minLength: 1 },
    },
  }, async (request) => {
    const rows = parseAdSpendCsv(request.body);
    return replaceAdSpend(client, rows, request.query.source_id);
  });

  app.get<{ Querystring: { from: string; to: string } }>('/api/analytics/ad-spend', {
    schema: {
      ...secured,
      summary: 'Ad spend, impressions and clicks per channel and currency over the days [from, to], with spend in USD',
      querystring: { type: 'object', properties: { from: { type: 'string', pattern: dateRe }, to: { type: 'string', pattern: dateRe } }, required: ['from', 'to'], additionalProperties: false },
    },
  }, async (request) => {
    const { from, to } = request.query;
    // The pattern lets 2024-02-30 through; ClickHouse would fail on it with a 500.
    const bad = [['from', from], ['to', to]].filter(([, v]) => !isDay(v as string)).map(([path]) => ({ path: path as string, message: 'must be a calendar day YYYY-MM-DD' }));
    if (bad.length === 0 && from > to) bad.push({ path: 'to', message: 'must not be before from' });
    if (bad.length > 0) throw new DefinitionError(bad);
    return adSpendTotals(client, from, to);
  });
};

function isDay(v: string): boolean {
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}
