/**
 * The advertising side of the simulation: what each ad platform would report per day, campaign and
 * ad set — impressions, clicks, spend — consistent with the ad visits the journeys contain (clicks =
 * visits plus the clicks that bounced before the page loaded; impressions from the ad set's CTR;
 * spend from its CPC or CPM). Also the day's exchange rates and the affiliate list.
 */
import type { AdSpendRow as SchemaAdSpendRow } from '@sextant/schemas';
import { AFFILIATES, CUSTOMER_REFERRAL } from '../config/affiliates.js';
import { CHANNELS, CHANNEL_KEYS, type ChannelKey, type PaidChannel } from '../config/channels.js';
import { MARKETS } from '../config/markets.js';
import { forKey } from '../random/seeded-random.js';
import type { ShopperJourney, ShopperWorld } from '../journeys/simulate-shopper.js';

const DAY_MS = 86_400_000;

/** An `ad_spend` row (`@sextant/schemas`) of one of the simulator's channels. */
export type AdSpendRow = SchemaAdSpendRow & { channel: ChannelKey };

export interface ExchangeRateRow {
  date: string;
  currency: string;
  usd_rate: number;
}

export interface AffiliateRow {
  affiliate_id: string;
  name: string;
  kind: string;
  utm_source: string;
  commission_rate: number;
}

/** Counts ad visits per ad set and day while journeys stream past (memory: ad sets × days). */
export class AdVisitCounter {
  private readonly counts = new Map<string, number>();
  constructor(private readonly world: Pick<ShopperWorld, 'startMs'>) {}

  add(journey: Pick<ShopperJourney, 'adVisits'>): void {
    const firstDay = Math.floor(this.world.startMs / DAY_MS);
    for (const v of journey.adVisits) {
      const key = `${v.adSetId}|${Math.floor(v.atMs / DAY_MS) - firstDay}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
  }

  visits(adSetId: string, day: number): number {
    return this.counts.get(`${adSetId}|${day}`) ?? 0;
  }

  total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }
}

/** Every ad set of every paid channel, with its campaign and platform figures. */
function adSets(): { channel: ChannelKey; paid: PaidChannel; campaignId: string; campaign: string; adSetId: string; adSet: string }[] {
  const out = [];
  for (const key of CHANNEL_KEYS) {
    const paid = CHANNELS[key].paid;
    if (!paid) continue;
    for (const c of paid.campaigns) for (const a of c.adSets) out.push({ channel: key, paid, campaignId: c.id, campaign: c.name, adSetId: a.id, adSet: a.name });
  }
  return out;
}

function dayCount(world: Pick<ShopperWorld, 'startMs' | 'endMs'>): number {
  return Math.floor(world.endMs / DAY_MS) - Math.floor(world.startMs / DAY_MS) + 1;
}

function dateOf(world: Pick<ShopperWorld, 'startMs'>, day: number): string {
  return new Date((Math.floor(world.startMs / DAY_MS) + day) * DAY_MS).toISOString().slice(0, 10);
}

export function buildAdSpend(world: Pick<ShopperWorld, 'seed' | 'startMs' | 'endMs'>, counter: AdVisitCounter): AdSpendRow[] {
  const days = dayCount(world);
  const rows: AdSpendRow[] = [];
  for (const s of adSets()) {
    const def = CHANNELS[s.channel];
    // Each ad set performs a little differently from its channel's mean.
    const setRandom = forKey(world.seed, 'ad-set', s.adSetId);
    const ctr = s.paid.ctr * setRandom.between(0.7, 1.3);
    const price = s.paid.price * setRandom.between(0.8, 1.25);
    let totalVisits = 0;
    for (let d = 0; d < days; d++) totalVisits += counter.visits(s.adSetId, d);
    const meanClicks = totalVisits / s.paid.landingRate / days;
    for (let d = 0; d < days; d++) {
      const random = forKey(world.seed, 'ad-day', s.adSetId, d);
      const visits = counter.visits(s.adSetId, d);
      const bounced = Math.max(0, Math.round((visits * (1 - s.paid.landingRate)) / s.paid.landingRate + random.between(-0.5, 0.5)));
      const clicks = visits + bounced;
      // A day without clicks still served impressions (and, billed per view, cost money).
      const impressions = Math.round(Math.max(clicks, 0.3 * meanClicks) / (ctr * random.between(0.85, 1.15)));
      if (impressions === 0) continue;
      const dayPrice = price * random.between(0.9, 1.1);
      const spend = s.paid.billing === 'cpc' ? clicks * dayPrice : (impressions / 1000) * dayPrice;
      rows.push({
        date: dateOf(world, d),
        channel: s.channel,
        utm_source: def.utmSource ?? '',
        utm_medium: def.utmMedium ?? '',
        campaign_id: s.campaignId,
        campaign: s.campaign,
        ad_set_id: s.adSetId,
        ad_set: s.adSet,
        currency: 'USD',
        impressions,
        clicks,
        spend: Math.round(spend * 100) / 100,
      });
    }
  }
  return rows;
}

/** Daily rates around each market's reference rate (a small random walk). */
export function buildExchangeRates(world: Pick<ShopperWorld, 'seed' | 'startMs' | 'endMs'>): ExchangeRateRow[] {
  const rows: ExchangeRateRow[] = [];
  const currencies = new Map(MARKETS.map((m) => [m.currency, m.usdRate]));
  for (const [currency, base] of currencies) {
    const random = forKey(world.seed, 'fx', currency);
    let drift = 0;
    for (let d = 0; d < dayCount(world); d++) {
      drift = Math.max(-0.03, Math.min(0.03, drift + random.between(-0.004, 0.004)));
      rows.push({ date: dateOf(world, d), currency, usd_rate: currency === 'USD' ? 1 : Math.round(base * (1 + drift) * 10_000) / 10_000 });
    }
  }
  return rows;
}

export function buildAffiliates(): AffiliateRow[] {
  return [...AFFILIATES, CUSTOMER_REFERRAL].map((a) => ({
    affiliate_id: a.affiliateId, name: a.name, kind: a.kind, utm_source: a.utmSource, commission_rate: a.commissionRate,
  }));
}
