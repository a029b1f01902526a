/**
 * Partner sites that send shoppers for a commission (utm_medium=affiliate), and the customer
 * referral programme (utm_medium=referral, `ref` = the referring customer). The `affiliates` table
 * (migration 0003) holds this list, so KPIs can price the commission of each referred order.
 */
export interface Affiliate {
  affiliateId: string;
  name: string;
  /** The utm_source the partner's links carry. */
  utmSource: string;
  kind: 'partner' | 'customer_referral';
  /** Share of an attributed order's revenue paid out. */
  commissionRate: number;
  weight: number;
}

export const AFFILIATES: readonly Affiliate[] = [
  { affiliateId: 'aff_001', name: 'Style Hunters Blog', utmSource: 'stylehunters', kind: 'partner', commissionRate: 0.1, weight: 0.35 },
  { affiliateId: 'aff_002', name: 'Deal Radar', utmSource: 'dealradar', kind: 'partner', commissionRate: 0.06, weight: 0.3 },
  { affiliateId: 'aff_003', name: 'Wanderlust Reviews', utmSource: 'wanderlust', kind: 'partner', commissionRate: 0.12, weight: 0.2 },
  { affiliateId: 'aff_004', name: 'Cashback Club', utmSource: 'cashbackclub', kind: 'partner', commissionRate: 0.04, weight: 0.15 },
];

/** The customer referral programme: every customer's link, one commission (a store credit). */
export const CUSTOMER_REFERRAL: Affiliate = {
  affiliateId: 'aff_referral',
  name: 'Refer a friend',
  utmSource: 'friend_referral',
  kind: 'customer_referral',
  commissionRate: 0.1,
  weight: 0,
};

export const PARTNER_WEIGHTS: readonly number[] = AFFILIATES.map((a) => a.weight);

/** How long an affiliate click earns commission on the shopper's orders (cookie window). */
export const AFFILIATE_WINDOW_MS = 30 * 86_400_000;
