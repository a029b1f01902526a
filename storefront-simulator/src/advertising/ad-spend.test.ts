import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../config/channels.js';
import { createWorld, generateJourneys } from '../journeys/generate-journeys.js';
import { AdVisitCounter, buildAdSpend, buildExchangeRates } from './ad-spend.js';
import { FIXED_END_MS } from '../../test/fixtures/simulation.js';

describe('buildAdSpend', () => {
  const world = createWorld({ seed: 3, shoppers: 5000, days: 30, endMs: FIXED_END_MS });
  const counter = new AdVisitCounter(world);
  for (const j of generateJourneys(world)) counter.add(j);
  const rows = buildAdSpend(world, counter);

  it('reports at least as many clicks as the journeys have ad visits, plus the bounced ones', () => {
    const clicks = rows.reduce((s, r) => s + r.clicks, 0);
    expect(clicks).toBeGreaterThanOrEqual(counter.total());
    expect(clicks).toBeLessThan(counter.total() * 1.6);
    for (const r of rows) expect(r.clicks).toBeLessThanOrEqual(r.impressions);
  });

  it.each(['facebook_ads', 'instagram_ads', 'google_ads', 'tiktok_ads'] as const)('gives %s a CTR near its channel and a positive CPC', (channel) => {
    const own = rows.filter((r) => r.channel === channel);
    const impressions = own.reduce((s, r) => s + r.impressions, 0);
    const clicks = own.reduce((s, r) => s + r.clicks, 0);
    const spend = own.reduce((s, r) => s + r.spend, 0);
    const ctr = CHANNELS[channel].paid!.ctr;
    expect(clicks / impressions).toBeGreaterThan(ctr * 0.6);
    expect(clicks / impressions).toBeLessThan(ctr * 1.5);
    expect(spend / clicks).toBeGreaterThan(0.2);
    expect(spend / clicks).toBeLessThan(5);
  });

  it('is the same for the same seed', () => {
    expect(buildAdSpend(world, counter)).toEqual(rows);
    expect(buildExchangeRates(world)).toEqual(buildExchangeRates(world));
  });

  it('has one row per ad set and day at most, every day of the window', () => {
    const keys = rows.map((r) => `${r.date}|${r.ad_set_id}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(rows.map((r) => r.date)).size).toBe(31);
  });
});
