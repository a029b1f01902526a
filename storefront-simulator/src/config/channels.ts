/**
 * Where shoppers come from. Each channel says how its landing URL is tagged (UTM parameters, ad click
 * id, referrer); paid channels also have campaigns and ad sets, whose daily impressions, clicks and
 * spend the advertising side reports (`advertising/ad-spend.ts`).
 */
export type ChannelKey =
  | 'facebook_ads'
  | 'instagram_ads'
  | 'google_ads'
  | 'tiktok_ads'
  | 'email'
  | 'affiliate'
  | 'organic_search'
  | 'direct';

export const CHANNEL_KEYS: readonly ChannelKey[] = [
  'facebook_ads', 'instagram_ads', 'google_ads', 'tiktok_ads', 'email', 'affiliate', 'organic_search', 'direct',
];

export interface AdSet {
  id: string;
  name: string;
  /** Search keyword (`utm_term`) for search ads. */
  term?: string;
}

export interface Campaign {
  id: string;
  name: string;
  adSets: readonly AdSet[];
}

export interface PaidChannel {
  /** Share of clicks that become a tracked session (the rest bounce before the page loads). */
  landingRate: number;
  /** Click-through rate of impressions (mean; each ad set varies around it). */
  ctr: number;
  /** How the platform bills: cost per click, or per thousand impressions. */
  billing: 'cpc' | 'cpm';
  /** Mean price in USD: per click (`cpc`) or per 1,000 impressions (`cpm`). */
  price: number;
  campaigns: readonly Campaign[];
}

export interface ChannelDefinition {
  key: ChannelKey;
  utmSource?: string;
  utmMedium?: string;
  /** The ad click id parameter the platform appends. */
  clickIdParam?: 'fbclid' | 'gclid' | 'ttclid';
  referrer?: string;
  paid?: PaidChannel;
}

function campaigns(prefix: string, names: readonly string[], adSets: readonly string[], terms?: readonly string[]): Campaign[] {
  return names.map((name, c) => ({
    id: `${prefix}_c${c + 1}`,
    name,
    adSets: adSets.map((adSet, a) => ({
      id: `${prefix}_c${c + 1}_as${a + 1}`,
      name: adSet,
      ...(terms ? { term: terms[(c * adSets.length + a) % terms.length] as string } : {}),
    })),
  }));
}

export const CHANNELS: Readonly<Record<ChannelKey, ChannelDefinition>> = {
  facebook_ads: {
    key: 'facebook_ads',
    utmSource: 'facebook',
    utmMedium: 'paid_social',
    clickIdParam: 'fbclid',
    referrer: 'https://l.facebook.com/',
    paid: {
      landingRate: 0.82, ctr: 0.012, billing: 'cpm', price: 11,
      campaigns: campaigns('fb', ['fb_prospecting_broad', 'fb_retargeting_cart', 'fb_lookalike_buyers'], ['video_ugc', 'carousel_bestsellers']),
    },
  },
  instagram_ads: {
    key: 'instagram_ads',
    utmSource: 'instagram',
    utmMedium: 'paid_social',
    clickIdParam: 'fbclid',
    referrer: 'https://l.instagram.com/',
    paid: {
      landingRate: 0.78, ctr: 0.009, billing: 'cpm', price: 9,
      campaigns: campaigns('ig', ['ig_reels_new_season', 'ig_stories_sale'], ['reels_creator', 'stories_static']),
    },
  },
  google_ads: {
    key: 'google_ads',
    utmSource: 'google',
    utmMedium: 'cpc',
    clickIdParam: 'gclid',
    referrer: 'https://www.google.com/',
    paid: {
      landingRate: 0.9, ctr: 0.034, billing: 'cpc', price: 0.95,
      campaigns: campaigns('gg', ['gg_search_brand', 'gg_search_generic', 'gg_shopping'], ['exact', 'broad'], [
        'sextant store', 'sextant sneakers', 'linen shirt', 'leather wallet', 'organic face serum', 'ceramic mug',
      ]),
    },
  },
  tiktok_ads: {
    key: 'tiktok_ads',
    utmSource: 'tiktok',
    utmMedium: 'paid_social',
    clickIdParam: 'ttclid',
    referrer: 'https://www.tiktok.com/',
    paid: {
      landingRate: 0.7, ctr: 0.008, billing: 'cpm', price: 7,
      campaigns: campaigns('tt', ['tt_spark_ads', 'tt_trend_challenge'], ['creator_a', 'creator_b']),
    },
  },
  email: { key: 'email', utmSource: 'newsletter', utmMedium: 'email' },
  affiliate: { key: 'affiliate', utmMedium: 'affiliate' },
  organic_search: { key: 'organic_search', referrer: 'https://www.google.com/' },
  direct: { key: 'direct' },
};

/** Email campaigns (utm_campaign of the email channel): abandoned-cart reminders go out by themselves. */
export const EMAIL_CAMPAIGNS = ['weekly_newsletter', 'new_arrivals', 'vip_early_access'] as const;
export const ABANDONED_CART_CAMPAIGN = 'abandoned_cart';

/**
 * The channel of a landing page, from what the tracking API stores: UTM medium/source, click ids and
 * the referrer. The inverse of the tags above, for tests and for reading simulated data back.
 */
export function classifyChannel(fields: {
  utmSource: string;
  utmMedium: string;
  fbclid?: string;
  gclid?: string;
  ttclid?: string;
  referrer?: string;
}): ChannelKey {
  const medium = fields.utmMedium.toLowerCase();
  const source = fields.utmSource.toLowerCase();
  if (medium === 'affiliate' || medium === 'referral') return 'affiliate';
  if (medium === 'email') return 'email';
  if (fields.ttclid || source === 'tiktok') return 'tiktok_ads';
  if (fields.gclid || (source === 'google' && medium === 'cpc')) return 'google_ads';
  if (source === 'instagram') return 'instagram_ads';
  if (fields.fbclid || source === 'facebook') return 'facebook_ads';
  if (fields.referrer && /^https?:\/\/(www\.)?(google|bing|duckduckgo)\./.test(fields.referrer)) return 'organic_search';
  return 'direct';
}
