import { z } from 'zod';
import { EVENT_COLUMNS, propertyFilterSchema, type EventColumnName } from '../segments/segment-definition.js';
import { CHANNEL_NAMES } from '../clickhouse/migrations/0031-add-event-analytics-columns.js';

/**
 * Inputs of the journey analytics API (segment-engine `analytics/`): funnels, attribution, KPIs and
 * alert rules. Names that reach SQL come from enums here (event columns, traits, KPI names); every
 * value is bound as a parameter by the SQL builders.
 */

const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?)?$/, 'must be an ISO date like 2024-05-01 or 2024-05-01T10:00:00Z');
const propertyPathSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,4}$/, 'must be a property path like country or device.os');

export const FUNNEL_MODES = ['default', 'strict_order', 'strict_deduplication', 'strict_increase'] as const;
export type FunnelMode = (typeof FUNNEL_MODES)[number];

/**
 * Person-level traits a funnel can be broken down by (from the current `person_traits` version).
 * `country`: the latest non-empty of identify traits `country` / `address.country` or `context.location.country`.
 */
export const BREAKDOWN_TRAITS = ['first_touch_source', 'first_touch_medium', 'first_touch_campaign', 'first_touch_content', 'last_touch_source', 'last_touch_campaign', 'country'] as const;

/** By what a funnel is split: the entry event's channel, one of its hot columns or properties, or a person trait. */
export const breakdownSchema = z.union([
  z.strictObject({ channel: z.literal(true) }),
  z.strictObject({ column: z.enum(Object.keys(EVENT_COLUMNS) as [EventColumnName, ...EventColumnName[]]) }),
  z.strictObject({ property: propertyPathSchema }),
  z.strictObject({ trait: z.enum(BREAKDOWN_TRAITS) }),
]);
export type Breakdown = z.infer<typeof breakdownSchema>;

export const funnelStepSchema = z.strictObject({
  event: z.string().min(1).max(200),
  where: z.array(propertyFilterSchema).max(20).optional(),
  label: z.string().max(200).optional(),
});

export const funnelDefinitionSchema = z.strictObject({
  steps: z.array(funnelStepSchema).min(2).max(10),
  /** Conversion window from the step-1 event, in seconds (max 365 days). */
  window_seconds: z.number().int().min(1).max(365 * 86_400).default(7 * 86_400),
  mode: z.enum(FUNNEL_MODES).default('default'),
  /** Step 1 must happen in [from, to); later steps may happen up to the end of the window. */
  from: isoTime,
  to: isoTime,
  breakdown: breakdownSchema.optional(),
  /** Trend bucket of the conversion over time (by the day of entry). */
  trend: z.enum(['day', 'week', 'month']).optional(),
});
export type FunnelDefinition = z.infer<typeof funnelDefinitionSchema>;
export type FunnelDefinitionInput = z.input<typeof funnelDefinitionSchema>;

export const ATTRIBUTION_MODELS = ['first_touch', 'last_touch', 'last_non_direct', 'linear', 'time_decay', 'position_based', 'markov'] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export const attributionDefinitionSchema = z.strictObject({
  conversion_event: z.string().min(1).max(200).default('Order Completed'),
  /**
   * Touchpoints: page views that start a session (`context.sessionStart`) or carry UTM tags / a click
   * id (a visit with neither is `direct`), plus any track event named here.
   */
  touch_events: z.array(z.string().min(1).max(200)).max(10).default(['Session Started']),
  lookback_days: z.number().int().min(1).max(365).default(30),
  half_life_days: z.number().positive().max(365).default(7),
  /** Position based: first, last share; the middle touches share the rest. */
  position_weights: z.strictObject({ first: z.number().min(0).max(1), last: z.number().min(0).max(1) }).refine((w) => w.first + w.last <= 1, 'first + last must be at most 1').default({ first: 0.4, last: 0.4 }),
  models: z.array(z.enum(ATTRIBUTION_MODELS)).min(1).default([...ATTRIBUTION_MODELS]),
  from: isoTime,
  to: isoTime,
  /** Revenue per channel only, or per channel and campaign. */
  group_by: z.enum(['channel', 'campaign']).default('channel'),
});
export type AttributionDefinition = z.infer<typeof attributionDefinitionSchema>;
export type AttributionDefinitionInput = z.input<typeof attributionDefinitionSchema>;

export const KPI_NAMES = [
  'sessions', 'visitors', 'new_visitors', 'returning_visitors', 'orders', 'revenue', 'conversion_rate', 'average_order_value',
  'cart_abandonment_rate', 'repurchase_rate', 'signups', 'reviews', 'average_rating', 'affiliate_revenue',
  'impressions', 'clicks', 'spend', 'ctr', 'cpc', 'roas', 'review_share',
] as const;
export type KpiName = (typeof KPI_NAMES)[number];

/**
 * The KPIs a `channel` filter applies to, each with one meaning: sessions and visitors by the
 * session's landing channel, orders and revenue by the order's attributed channel (last non-direct
 * touch, as the marketing KPIs), ad figures by the ad's channel, ROAS = attributed revenue / the
 * channel's spend. The others (conversion, carts, repurchase, sign-ups, reviews, affiliates) have no
 * single channel meaning: a filtered overview leaves them out and an alert rule with a channel refuses them.
 */
export const CHANNEL_KPI_NAMES = [
  'sessions', 'visitors', 'new_visitors', 'returning_visitors', 'orders', 'revenue', 'average_order_value',
  'impressions', 'clicks', 'spend', 'ctr', 'cpc', 'roas',
] as const satisfies readonly KpiName[];
export type ChannelKpiName = (typeof CHANNEL_KPI_NAMES)[number];
const channelKpis: readonly string[] = CHANNEL_KPI_NAMES;

export const kpiQuerySchema = z.strictObject({
  /** The day the figures are for (UTC); compared with the day before, 30 days before (MoM) and 365 (YoY). */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** `day`: the day itself; `month`: the 30 days ending on `date`. */
  period: z.enum(['day', 'month']).default('day'),
  /** A channel of the materialized `channel` column (`CHANNEL_NAMES`). */
  channel: z.enum(CHANNEL_NAMES).optional(),
});
export type KpiQuery = z.infer<typeof kpiQuerySchema>;

/** How product figures are grouped: per product, per product category, or per product tag. */
export const PRODUCT_GROUPINGS = ['product', 'category', 'tag'] as const;
export type ProductGrouping = (typeof PRODUCT_GROUPINGS)[number];

/** `GET /api/analytics/products`: product figures over [from, to) and what the best sellers share. */
export const productQuerySchema = z.strictObject({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** Rows returned (products, and the groups when grouped), by `order_by` descending. */
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  order_by: z.enum(['revenue', 'units', 'views']).default('revenue'),
  /** `category` / `tag` add `groups` to the answer; `products` is always there. */
  group_by: z.enum(PRODUCT_GROUPINGS).default('product'),
  /** How many products by revenue count as best sellers. */
  top: z.coerce.number().int().min(1).max(100).default(10),
}).refine((q) => q.from < q.to, { message: 'must be after from', path: ['to'] });
export type ProductQuery = z.infer<typeof productQuerySchema>;
export type ProductQueryInput = z.input<typeof productQuerySchema>;

/** Per channel or campaign: ad figures, attributed orders and revenue, and their ratios (marketing KPIs). */
export const MARKETING_KPI_NAMES = ['impressions', 'clicks', 'ctr', 'cpc', 'spend', 'orders', 'revenue', 'roas', 'roi'] as const;
export type MarketingKpiName = (typeof MARKETING_KPI_NAMES)[number];

export const marketingKpiQuerySchema = z.strictObject({
  /** As `kpiQuerySchema.date`: the same four windows. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  period: z.enum(['day', 'month']).default('day'),
  /** One row per channel, or per channel and campaign (`ad_spend.campaign` = the touch's `utm_campaign`). */
  group_by: z.enum(['channel', 'campaign']).default('channel'),
});
export type MarketingKpiQuery = z.infer<typeof marketingKpiQuerySchema>;

export const alertRuleInputSchema = z.strictObject({
  name: z.string().min(1).max(200),
  kpi: z.enum(KPI_NAMES),
  /** A channel of the materialized `channel` column (`CHANNEL_NAMES`). */
  channel: z.enum(CHANNEL_NAMES).optional(),
  period: z.enum(['day', 'month']).default('day'),
  /** `above`/`below`: the KPI value against `threshold`; `change_above`/`change_below`: the relative change (0.2 = +20 %) against the previous period. */
  condition: z.enum(['above', 'below', 'change_above', 'change_below']),
  threshold: z.number().finite(),
  webhook_url: z.string().url().max(2000).optional(),
  enabled: z.boolean().default(true),
}).refine((r) => !r.channel || channelKpis.includes(r.kpi), { path: ['kpi'], message: `with a channel, kpi must be one of ${CHANNEL_KPI_NAMES.join(', ')}` });
export type AlertRuleInput = z.infer<typeof alertRuleInputSchema>;
