import { segmentInputSchema, type SegmentInput } from '../segments/segment-definition.js';

/** first/last-touch `source` values that mean a Facebook or Instagram ad. */
export const META_AD_SOURCES = ['facebook', 'fb', 'instagram', 'ig', 'meta', 'facebook.com', 'instagram.com'];

/** A ready-made retargeting audience: a segment definition in the DSL plus how to use it. */
export interface RetargetingTemplate {
  id: string;
  name: string;
  description: string;
  /** Suggested destinations and schedule. */
  suggested: { destinations: string[]; cron: string; lookalikeSeed?: boolean };
  build(params?: Record<string, number>): SegmentInput;
}

const template = (t: RetargetingTemplate): RetargetingTemplate => t;

/**
 * The starting points a marketer picks from (issue 8 §4). Each builds a segment definition that the
 * segment engine validates and compiles like any other.
 */
export const RETARGETING_TEMPLATES: readonly RetargetingTemplate[] = [
  template({
    id: 'meta-ad-no-purchase',
    name: 'Came from a Facebook or Instagram ad, no purchase',
    description: 'Arrived from a Facebook or Instagram ad (first or last touch), seen in the last N days, no Order Completed in the last N days.',
    suggested: { destinations: ['facebook-custom-audience', 'instagram-custom-audience', 'whatsapp-template'], cron: '0 */6 * * *' },
    build: ({ days = 7 } = {}) => segmentInputSchema.parse({
      name: `Meta ad visitors, no purchase in ${days} days`,
      description: `Came from a Facebook or Instagram ad and did not buy within ${days} days.`,
      definition: { type: 'and', conditions: [
        { type: 'or', conditions: [
          { type: 'computed', trait: 'first_touch_source', op: 'in', value: META_AD_SOURCES },
          { type: 'computed', trait: 'last_touch_source', op: 'in', value: META_AD_SOURCES },
        ] },
        { type: 'computed', trait: 'days_since_last_seen', op: 'lte', value: days },
        { type: 'event', event: 'Order Completed', did: false, within_days: days },
      ] },
    }),
  }),
  template({
    id: 'abandoned-cart-24h',
    name: 'Abandoned cart in the last 24 h',
    description: 'Added a product in the last day and did not complete an order in that day.',
    suggested: { destinations: ['whatsapp-template', 'facebook-custom-audience'], cron: '0 * * * *' },
    build: () => segmentInputSchema.parse({
      name: 'Abandoned cart (24 h)',
      description: 'Product Added in the last 24 h, no Order Completed since.',
      definition: { type: 'and', conditions: [
        { type: 'event', event: 'Product Added', within_days: 1 },
        { type: 'event', event: 'Order Completed', did: false, within_days: 1 },
      ] },
    }),
  }),
  template({
    id: 'lapsed-buyers',
    name: 'Lapsed buyers',
    description: 'Bought before, nothing for N days (default 90).',
    suggested: { destinations: ['facebook-custom-audience', 'instagram-custom-audience'], cron: '0 4 * * *' },
    build: ({ days = 90 } = {}) => segmentInputSchema.parse({
      name: `Lapsed buyers (${days} days)`,
      description: `At least one order, the last more than ${days} days ago.`,
      definition: { type: 'and', conditions: [
        { type: 'computed', trait: 'orders_count', op: 'gte', value: 1 },
        { type: 'computed', trait: 'days_since_last_order', op: 'gt', value: days },
      ] },
    }),
  }),
  template({
    id: 'top-lifetime-value',
    name: 'Top lifetime value (lookalike seed)',
    description: 'Customers whose lifetime revenue (USD) is at least the threshold; a seed for a Meta lookalike audience.',
    suggested: { destinations: ['facebook-custom-audience'], cron: '0 5 * * 1', lookalikeSeed: true },
    build: ({ minRevenue = 500, minOrders = 2 } = {}) => segmentInputSchema.parse({
      name: `Top lifetime value (≥ ${minRevenue} USD)`,
      description: `Lifetime revenue ≥ ${minRevenue} USD and ≥ ${minOrders} orders.`,
      definition: { type: 'and', conditions: [
        { type: 'computed', trait: 'lifetime_revenue', op: 'gte', value: minRevenue },
        { type: 'computed', trait: 'orders_count', op: 'gte', value: minOrders },
      ] },
    }),
  }),
];
