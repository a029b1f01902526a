import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBulkBuild } from '@sextant/storefront-simulator';
import { refreshEngine } from '../src/refresh/refresh-engine.js';
import { runFunnel } from '../src/analytics/run-funnel.js';
import { runAttribution } from '../src/analytics/run-attribution.js';
import { kpiOverview } from '../src/analytics/kpi-query.js';
import { EVENT_CHANNEL_EXPRESSION, migrations } from '@sextant/schemas';
import { personEventsSql } from '../src/sql/person-sql.js';
import { CHANNEL_NAMES, channelCodeSql, channelNameSql } from '../src/analytics/channel-sql.js';
import { startEngineStore, type EngineStore } from './fixtures/engine-store.js';

/**
 * Channels on simulator data. The simulator's storefront (like a page-URL-only tracker) puts the UTM
 * tags and click ids only in the landing page's URL: the track events of the session (Product Viewed,
 * …) carry no campaign columns, so the channel of a funnel's entry event must come from the session's
 * touch (its landing page view), not from the entry event's own columns.
 */
const END = Date.UTC(2025, 5, 1);
const SIM = { seed: 7, shoppers: 400, days: 14, endMs: END };
let db: EngineStore;

beforeAll(async () => {
  db = await startEngineStore();
  await runBulkBuild({ ...SIM, store: db.store });
  await refreshEngine(db.store.client, db.store, {}, new Date(END));
});
afterAll(async () => db?.stop());

const FUNNEL = {
  steps: [{ event: 'Product Viewed' }, { event: 'Product Added' }, { event: 'Checkout Started' }, { event: 'Order Completed' }],
  window_seconds: 7 * 86_400,
  from: '2025-05-18',
  to: '2025-06-01',
};

describe('channels on simulator data', () => {
  it('materializes the channel with the exported rules (migration 0031); CHANNEL_NAMES in alphabetical order', () => {
    const m = migrations.find((x) => x.version === 31)!;
    expect(m.statements.join('\n')).toContain(`channel LowCardinality(String) MATERIALIZED ${EVENT_CHANNEL_EXPRESSION}`);
    expect([...CHANNEL_NAMES]).toEqual([...CHANNEL_NAMES].sort()); // codes follow the names' order (attribution ties)
  });

  it('stores every simulated channel in the materialized column, all of them known', async () => {
    const rows = await db.query<{ channel: string }>(`SELECT DISTINCT toString(channel) AS channel FROM events WHERE session_start ORDER BY channel`);
    expect(rows.map((r) => r.channel)).toEqual([...CHANNEL_NAMES]);
  });

  it('codes the materialized channel as its 1-based index in CHANNEL_NAMES (0 for anything else), and back', async () => {
    const rows = await db.query<{ channel: string; code: number; name: string }>(
      `SELECT toString(channel) AS channel, ${channelCodeSql()} AS code, ${channelNameSql(channelCodeSql())} AS name
        FROM (SELECT DISTINCT channel FROM events UNION ALL SELECT toLowCardinality('not_a_channel') AS channel) ORDER BY channel`,
    );
    expect(rows.length).toBe(CHANNEL_NAMES.length + 1);
    for (const r of rows) {
      const i = CHANNEL_NAMES.indexOf(r.channel as never);
      expect([r.channel, Number(r.code), r.name]).toEqual([r.channel, i + 1, i >= 0 ? r.channel : '']);
    }
  });

  it('breaks a funnel down into several source channels whose rows add up to the total', async () => {
    const r = await runFunnel(db.store.client, { ...FUNNEL, breakdown: { channel: true } }, { asOf: new Date(END) });
    expect(r.total.entered).toBeGreaterThan(100);
    const channels = r.breakdown.map((g) => g.value);
    expect(channels.length).toBeGreaterThanOrEqual(5);
    expect(channels).toEqual(expect.arrayContaining(['facebook_ads', 'google_ads', 'email', 'organic_search', 'direct']));
    for (let k = 0; k < 4; k++) expect(r.breakdown.reduce((a, g) => a + g.steps[k]!.count, 0)).toBe(r.total.steps[k]!.count);
    expect(r.breakdown.reduce((a, g) => a + g.steps[1]!.droppedOff + g.steps[1]!.inProgress, 0)).toBe(r.total.steps[1]!.droppedOff + r.total.steps[1]!.inProgress);
  });

  it('reaches the same step counts as windowFunnel over the events (the default mode computes levels from chains)', async () => {
    const r = await runFunnel(db.store.client, FUNNEL, { asOf: new Date(END) });
    const [steps] = await db.query<Record<string, number>>(
      `SELECT countIf(level >= 1) AS s1, countIf(level >= 2) AS s2, countIf(level >= 3) AS s3, countIf(level >= 4) AS s4
       FROM (SELECT person_id, windowFunnel(${FUNNEL.window_seconds * 1000})(toUInt64(toUnixTimestamp64Milli(timestamp)),
           event = 'Product Viewed' AND timestamp >= toDateTime64('2025-05-18', 3, 'UTC') AND timestamp < toDateTime64('2025-06-01', 3, 'UTC'),
           event = 'Product Added', event = 'Checkout Started', event = 'Order Completed') AS level
         FROM (${personEventsSql(['timestamp', 'event'], `event IN ('Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed')`)})
         GROUP BY person_id)`,
    );
    expect(r.total.steps.map((s) => s.count)).toEqual([steps!.s1, steps!.s2, steps!.s3, steps!.s4].map(Number));
  });

  it('attributes orders to several channels', async () => {
    const r = await runAttribution(db.store.client, { from: '2025-05-18', to: '2025-06-01' });
    const channels = r.rows.filter((x) => (x.models.last_touch?.conversions ?? 0) > 0).map((x) => x.channel);
    expect(channels.length).toBeGreaterThanOrEqual(5);
  });

  it('counts sessions per channel in the KPI overview', async () => {
    const k = await kpiOverview(db.store.client, { date: '2025-05-30' });
    expect(k.byChannel.length).toBeGreaterThanOrEqual(5);
    expect(k.byChannel.reduce((a, c) => a + c.sessions, 0)).toBe(k.kpis.sessions.value);
  });
});
