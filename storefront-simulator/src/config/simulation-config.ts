/**
 * The tunable behaviour of simulated shoppers. Every probability is what the generator draws with, so
 * a simulated month shows the same rates (the shape test checks that): change a number here to get a
 * different funnel or channel mix.
 */
import type { ChannelKey } from './channels.js';

export interface FunnelProbabilities {
  /** A session views at least one product. */
  productView: number;
  /** A session that viewed a product adds one to the cart. */
  addToCart: number;
  /** A session with a cart starts checkout (else the cart is abandoned). */
  checkout: number;
  /** A started checkout ends with Order Completed. */
  purchase: number;
}

export interface SimulationConfig {
  /** How the first session of each shopper arrives (weights, normalised). */
  channelShares: Readonly<Record<ChannelKey, number>>;
  /** How later (non-abandoned-cart) visits arrive: retargeting ads, email, direct, search. */
  returnChannelShares: Readonly<Partial<Record<ChannelKey, number>>>;
  funnel: FunnelProbabilities;
  /**
   * Probability that a shopper with k orders places order k+1 (index k-1); the last value holds for
   * every higher count. Rising: each purchase makes the next more likely.
   */
  repeatPurchase: readonly number[];
  /** Days between one order and the next (uniform). */
  repeatDelayDays: { min: number; max: number };
  /** A session that bought nothing is followed by another visit. */
  returnVisit: number;
  /** Mean days until that visit (exponential). */
  returnDelayMeanDays: number;
  /** Most sessions one shopper has (bounds the work per shopper). */
  maxSessions: number;
  /** An identified shopper who abandoned a cart clicks the reminder email. */
  abandonedCartEmailClick: number;
  /** A return visit happens on another device (a new anonymousId; logging in joins them). */
  otherDevice: number;
  /** A checkout applies a discount code. */
  coupon: number;
  /** A checkout creates an account (Signed Up) rather than buying as a guest. */
  signUpAtCheckout: number;
  /** A visit of an anonymous shopper ends with a newsletter sign-up (identify with email). */
  newsletterSignUp: number;
  /** An identify carries a phone number too. */
  phoneShared: number;
  /** An order is refunded later. */
  refund: number;
  /** A buyer reviews a product of the order later. */
  review: number;
  /** A buyer joins the membership programme after an order (once). */
  membership: number;
  /** Of affiliate-channel visits, the share that come from a customer's referral link (the rest: partner sites). */
  customerReferralShare: number;
  /** A session searches the catalogue; views a category list. */
  search: number;
  categoryList: number;
  /** A second product is added to a cart; one is removed again. */
  secondAdd: number;
  removeFromCart: number;
}

export const DEFAULT_SIMULATION_CONFIG: SimulationConfig = {
  channelShares: {
    facebook_ads: 0.22,
    instagram_ads: 0.14,
    google_ads: 0.16,
    tiktok_ads: 0.08,
    email: 0.08,
    affiliate: 0.07,
    organic_search: 0.15,
    direct: 0.1,
  },
  returnChannelShares: {
    direct: 0.35,
    email: 0.2,
    organic_search: 0.15,
    facebook_ads: 0.15,
    instagram_ads: 0.1,
    google_ads: 0.05,
  },
  funnel: { productView: 0.78, addToCart: 0.16, checkout: 0.6, purchase: 0.7 },
  repeatPurchase: [0.28, 0.38, 0.46, 0.52],
  repeatDelayDays: { min: 2, max: 12 },
  returnVisit: 0.5,
  returnDelayMeanDays: 3,
  maxSessions: 12,
  abandonedCartEmailClick: 0.3,
  otherDevice: 0.2,
  coupon: 0.22,
  signUpAtCheckout: 0.45,
  newsletterSignUp: 0.04,
  phoneShared: 0.55,
  refund: 0.06,
  review: 0.18,
  membership: 0.12,
  customerReferralShare: 0.3,
  search: 0.15,
  categoryList: 0.5,
  secondAdd: 0.25,
  removeFromCart: 0.06,
};

/** A config with some fields replaced (nested objects merged one level deep). */
export function withConfig(overrides: DeepPartialConfig = {}): SimulationConfig {
  const base = DEFAULT_SIMULATION_CONFIG;
  return {
    ...base,
    ...overrides,
    channelShares: { ...base.channelShares, ...overrides.channelShares },
    returnChannelShares: { ...base.returnChannelShares, ...overrides.returnChannelShares },
    funnel: { ...base.funnel, ...overrides.funnel },
    repeatDelayDays: { ...base.repeatDelayDays, ...overrides.repeatDelayDays },
    repeatPurchase: overrides.repeatPurchase ?? base.repeatPurchase,
  };
}

export type DeepPartialConfig = Partial<Omit<SimulationConfig, 'channelShares' | 'returnChannelShares' | 'funnel' | 'repeatDelayDays'>> & {
  channelShares?: Partial<Record<ChannelKey, number>>;
  returnChannelShares?: Partial<Record<ChannelKey, number>>;
  funnel?: Partial<FunnelProbabilities>;
  repeatDelayDays?: Partial<SimulationConfig['repeatDelayDays']>;
};

/** The repeat-purchase probability after `orders` orders (1, 2, ...). */
export function repeatProbability(config: SimulationConfig, orders: number): number {
  const list = config.repeatPurchase;
  return list[Math.min(orders, list.length) - 1] ?? 0;
}
