/**
 * How a session arrives: the landing URL's query (UTM tags, ad click id, affiliate `ref`), the
 * referrer, and for ad visits the campaign and ad set (counted for the advertising report).
 */
import { AFFILIATES, CUSTOMER_REFERRAL, PARTNER_WEIGHTS } from '../config/affiliates.js';
import { ABANDONED_CART_CAMPAIGN, CHANNELS, EMAIL_CAMPAIGNS, type ChannelKey } from '../config/channels.js';
import type { SimulationConfig } from '../config/simulation-config.js';
import type { Random } from '../random/seeded-random.js';
import type { AffiliateCookie } from '../shoppers/shopper-state.js';

export interface Landing {
  channel: ChannelKey;
  /** `?utm_source=...` or '' */
  query: string;
  referrer: string;
  /** Paid visits: the ad set clicked (its id is `<campaign id>_as<n>`). */
  adSetId?: string;
  affiliate?: Omit<AffiliateCookie, 'atMs'>;
}

const CLICK_ID_PREFIX = { fbclid: 'IwAR', gclid: 'Cj0KCQ', ttclid: 'E.C.P.' } as const;

export function buildLanding(
  channel: ChannelKey,
  random: Random,
  config: SimulationConfig,
  options: { abandonedCart?: boolean; shopperCount: number; runTag: string },
): Landing {
  const def = CHANNELS[channel];
  const params: [string, string][] = [];
  let adSetId: string | undefined;
  let affiliate: Landing['affiliate'];

  if (def.paid) {
    const campaign = random.pick(def.paid.campaigns);
    const adSet = random.pick(campaign.adSets);
    adSetId = adSet.id;
    params.push(['utm_source', def.utmSource ?? ''], ['utm_medium', def.utmMedium ?? ''], ['utm_campaign', campaign.name], ['utm_content', adSet.name]);
    if (adSet.term) params.push(['utm_term', adSet.term]);
    if (def.clickIdParam) params.push([def.clickIdParam, CLICK_ID_PREFIX[def.clickIdParam] + random.hex(40)]);
  } else if (channel === 'email') {
    params.push(['utm_source', 'newsletter'], ['utm_medium', 'email'], ['utm_campaign', options.abandonedCart ? ABANDONED_CART_CAMPAIGN : random.pick(EMAIL_CAMPAIGNS)]);
  } else if (channel === 'affiliate') {
    if (random.chance(config.customerReferralShare)) {
      // A friend's link: the referrer is another (simulated) customer.
      const referrerUserId = `cust_${options.runTag}_${random.int(0, Math.max(0, options.shopperCount - 1))}`;
      affiliate = { affiliateId: CUSTOMER_REFERRAL.affiliateId, name: CUSTOMER_REFERRAL.name, referrerUserId };
      params.push(['utm_source', CUSTOMER_REFERRAL.utmSource], ['utm_medium', 'referral'], ['utm_campaign', 'refer_a_friend'], ['ref', referrerUserId]);
    } else {
      const partner = random.weighted(AFFILIATES, PARTNER_WEIGHTS);
      affiliate = { affiliateId: partner.affiliateId, name: partner.name };
      params.push(['utm_source', partner.utmSource], ['utm_medium', 'affiliate'], ['utm_campaign', partner.affiliateId], ['ref', partner.affiliateId]);
    }
  }
  const query = params.length === 0 ? '' : `?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
  const referrer = affiliate && !affiliate.referrerUserId ? `https://www.${params[0]?.[1] ?? 'partner'}.example/` : (def.referrer ?? '');
  return { channel, query, referrer, ...(adSetId ? { adSetId } : {}), ...(affiliate ? { affiliate } : {}) };
}
