import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Test-only: the real all-in-one server (segment-engine's source never imports ingest-service).
import { startInProcessServer, TEST_JWT_SECRET, type InProcessServer } from '../../ingest-service/test/fixtures/in-process-server.js';
import { signAdminToken } from '../../ingest-service/src/auth/admin-token.js';
import { AD_SPEND_CSV_MAX_BYTES, parseAdSpendCsv } from '../src/analytics/ad-spend-csv.js';

let s: InProcessServer;
let marketer: string;
const iso = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const HEADER = 'date,channel,utm_source,utm_medium,campaign_id,campaign,ad_set_id,ad_set,currency,impressions,clicks,spend';
// Facebook: 20 + 10 = 30 USD over two days; Google: 80 USD.
const SPEND_CSV = () => [
  HEADER,
  `${day(-1)},facebook_ads,facebook,paid_social,c1,spring,as1,"Lookalike, 1%",USD,1000,50,20`,
  `${day(0)},facebook_ads,facebook,paid_social,c1,spring,as1,"Lookalike, 1%",USD,400,20,10.00`,
  `${day(0)},google_ads,google,cpc,c2,brand,as2,exact,usd,500,25,80`,
].join('\n') + '\n';

beforeAll(async () => {
  s = await startInProcessServer();
  marketer = await signAdminToken(TEST_JWT_SECRET, { subject: 'm', role: 'marketer' });
  // One order per paid channel: Facebook brings 90 USD, Google 40 USD.
  const batch = [
    { type: 'page', anonymousId: 'f1', timestamp: iso(60), context: { campaign: { source: 'facebook', medium: 'paid_social', name: 'spring' } } },
    { type: 'track', anonymousId: 'f1', event: 'Order Completed', timestamp: iso(58), properties: { order_id: 'o1', revenue: 90, currency: 'USD' } },
    { type: 'page', anonymousId: 'g1', timestamp: iso(50), context: { campaign: { source: 'google', medium: 'cpc', name: 'brand' } } },
    { type: 'track', anonymousId: 'g1', event: 'Order Completed', timestamp: iso(48), properties: { order_id: 'o2', revenue: 40, currency: 'USD' } },
  ].map((m, i) => ({ ...m, messageId: `sp-${i}` }));
  expect((await s.server.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: s.basicAuth }, payload: { batch } })).statusCode).toBe(200);
  await s.server.flush();
});
afterAll(async () => s?.stop());

function upload(csv: string, token: string | null = marketer, contentType = 'text/csv') {
  return s.server.app.inject({ method: 'POST', url: '/api/analytics/ad-spend', headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) }, payload: csv });
}
async function attribution() {
  const res = await s.server.app.inject({ method: 'POST', url: '/api/analytics/attribution', headers: { authorization: `Bearer ${s.viewerToken}` }, payload: { from: day(-3), to: day(1), models: ['first_touch'] } });
  expect(res.statusCode).toBe(200);
  const body = res.json() as { rows: { channel: string; spend: number; models: { first_touch: { revenue: number; conversions: number; roas: number | null; cpa: number | null } } }[]; totals: { spend: number } };
  return { totals: body.totals, by: Object.fromEntries(body.rows.map((r) => [r.channel, { spend: r.spend, ...r.models.first_touch }])) };
}
async function totals() {
  const res = await s.server.app.inject({ method: 'GET', url: `/api/analytics/ad-spend?from=${day(-5)}&to=${day(1)}`, headers: { authorization: `Bearer ${s.viewerToken}` } });
  expect(res.statusCode).toBe(200);
  return res.json() as { channels: { channel: string; currency: string; days: number; impressions: number; clicks: number; spend: number; spendUsd: number }[]; totals: { impressions: number; clicks: number; spendUsd: number } };
}

describe('ad spend upload API', () => {
  it('an upload makes attribution report ROAS and CPA from exactly that spend', async () => {
    const res = await upload(SPEND_CSV());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rows: 3, days: [day(-1), day(0)].sort(), channels: ['facebook_ads', 'google_ads'], spendByCurrency: { USD: 110 }, replaced: 0 });
    const a = await attribution();
    expect(a.totals.spend).toBe(110);
    // Facebook: 90 / 30 = ROAS 3, CPA 30 / 1 = 30. Google: 40 / 80 = ROAS 0.5, CPA 80.
    expect(a.by.facebook_ads).toEqual({ spend: 30, revenue: 90, conversions: 1, roas: 3, cpa: 30 });
    expect(a.by.google_ads).toEqual({ spend: 80, revenue: 40, conversions: 1, roas: 0.5, cpa: 80 });
  });

  it('re-uploading the same file replaces instead of doubling; a partial file replaces only its days and channels', async () => {
    const again = await upload(SPEND_CSV());
    expect(again.json()).toMatchObject({ rows: 3, replaced: 3 });
    expect((await attribution()).totals.spend).toBe(110);
    // Only the required columns: currency defaults to USD, impressions and clicks to 0.
    const google = await upload(`date,channel,spend\n${day(0)},google_ads,40\n`);
    expect(google.json()).toMatchObject({ rows: 1, replaced: 1, channels: ['google_ads'] });
    const a = await attribution();
    expect(a.by.facebook_ads).toMatchObject({ spend: 30, roas: 3, cpa: 30 });
    expect(a.by.google_ads).toMatchObject({ spend: 40, roas: 1, cpa: 40 });
    expect(a.totals.spend).toBe(70);
  });

  it('GET returns spend, impressions and clicks per channel', async () => {
    const t = await totals();
    expect(t.channels).toEqual([
      { channel: 'facebook_ads', currency: 'USD', days: 2, impressions: 1400, clicks: 70, spend: 30, spendUsd: 30 },
      { channel: 'google_ads', currency: 'USD', days: 1, impressions: 0, clicks: 0, spend: 40, spendUsd: 40 },
    ]);
    expect(t.totals).toEqual({ impressions: 1400, clicks: 70, spendUsd: 70 });
    const bad = await s.server.app.inject({ method: 'GET', url: `/api/analytics/ad-spend?from=${day(0)}&to=2024-02-30`, headers: { authorization: `Bearer ${s.viewerToken}` } });
    expect(bad.statusCode).toBe(400);
  });

  it.each([
    ['a bad date', `${HEADER}\n${day(-2)},google_ads,google,cpc,c2,brand,as2,exact,USD,1,1,5\n2024-02-30,google_ads,google,cpc,c2,brand,as2,exact,USD,1,1,5\n`, { line: 3, column: 'date' }],
    ['a negative spend', `date,channel,spend\n${day(-2)},facebook_ads,-5\n`, { line: 2, column: 'spend' }],
    ['an unknown channel', `date,channel,spend\n${day(-2)},facebook_ads,5\n${day(-2)},myspace_ads,5\n`, { line: 3, column: 'channel' }],
    ['a missing column', `date,channel,clicks\n${day(-2)},facebook_ads,5\n`, { line: 1, column: 'spend' }],
    ['a fractional click count', `date,channel,clicks,spend\n${day(-2)},facebook_ads,2.5,5\n`, { line: 2, column: 'clicks' }],
    ['a bad currency', `date,channel,currency,spend\n${day(-2)},facebook_ads,EURO,5\n`, { line: 2, column: 'currency' }],
    ['a short row', `date,channel,spend\n${day(-2)},facebook_ads,5\n${day(-2)},google_ads\n`, { line: 3, column: '(row)' }],
  ])('rejects %s with 400, line and column, and inserts nothing', async (_name, csv, where) => {
    const before = await totals();
    const res = await upload(csv);
    expect(res.statusCode).toBe(400);
    const error = res.json().error as { code: string; message: string; details: { issues: { line: number; column: string; message: string }[] } };
    expect(error.code).toBe('INVALID_DEFINITION');
    expect(error.details.issues[0]).toMatchObject(where);
    expect(error.message).toContain(`line ${where.line}`);
    // The valid rows of the same file (day -2) were not written either.
    expect(await totals()).toEqual(before);
  });

  it('with source_id replaces only that source; without one, every source of the days and channels it covers', async () => {
    // (days before the range the other tests total)
    const tiktok = async () => {
      const res = await s.server.app.inject({ method: 'GET', url: `/api/analytics/ad-spend?from=${day(-12)}&to=${day(-8)}`, headers: { authorization: `Bearer ${s.viewerToken}` } });
      return (res.json() as { channels: { channel: string; spend: number }[] }).channels.find((c) => c.channel === 'tiktok_ads')?.spend;
    };
    const send = async (csv: string, source?: string) => {
      const res = await s.server.app.inject({ method: 'POST', url: `/api/analytics/ad-spend${source ? `?source_id=${source}` : ''}`, headers: { 'content-type': 'text/csv', authorization: `Bearer ${marketer}` }, payload: csv });
      expect(res.statusCode).toBe(200);
      return res.json() as { replaced: number };
    };
    // Two storefronts' own accounts (as `sextant demo --import` stores spend under its source): they add up.
    await send(`date,channel,spend\n${day(-10)},tiktok_ads,15\n`, 'shop-a');
    await send(`date,channel,spend\n${day(-10)},tiktok_ads,5\n`, 'shop-b');
    expect(await tiktok()).toBe(20);
    expect((await send(`date,channel,spend\n${day(-10)},tiktok_ads,6\n`, 'shop-b')).replaced).toBe(1);
    expect(await tiktok()).toBe(21);
    // The same day's spend uploaded without a source is that day's TikTok spend: no double count.
    expect((await send(`date,channel,spend\n${day(-10)},tiktok_ads,21\n`)).replaced).toBe(2);
    expect(await tiktok()).toBe(21);
  });

  it('lists up to 20 issues, counting lines of quoted fields that span lines', () => {
    const rows = Array.from({ length: 30 }, () => `${day(-2)},facebook_ads,-1`);
    let details: { issues: unknown[]; truncated: boolean } | undefined;
    try {
      parseAdSpendCsv(`date,channel,spend\n${rows.join('\n')}\n`);
    } catch (err) {
      details = (err as { details: typeof details }).details;
    }
    expect(details?.issues).toHaveLength(20);
    expect(details?.truncated).toBe(true);
    try {
      parseAdSpendCsv(`date,channel,campaign,spend\n${day(-2)},facebook_ads,"two\nlines",1\n${day(-2)},facebook_ads,x,oops\n`);
      expect.unreachable();
    } catch (err) {
      expect((err as { details: { issues: unknown[] } }).details.issues).toEqual([expect.objectContaining({ line: 4, column: 'spend' })]);
    }
  });

  it('needs a marketer to upload and a CSV body', async () => {
    expect((await upload(SPEND_CSV(), s.viewerToken)).statusCode).toBe(403);
    expect((await upload(SPEND_CSV(), null)).statusCode).toBe(401);
    expect((await upload('{"spend":1}', marketer, 'application/json')).statusCode).toBe(400);
    expect((await upload('', marketer)).statusCode).toBe(400);
    expect((await upload(`date,channel,spend\n${'x'.repeat(AD_SPEND_CSV_MAX_BYTES)}`, marketer)).statusCode).toBe(413);
    expect((await totals()).totals.spendUsd).toBe(70);
  });

  it('documents both routes in OpenAPI', async () => {
    const doc = (await s.server.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/api/analytics/ad-spend']).toMatchObject({ post: { tags: ['analytics'] }, get: { tags: ['analytics'] } });
  });
});
