import { z } from 'zod';

/**
 * The segment DSL: a JSON tree of conditions, validated here before anything is compiled. Every name
 * that ends up in SQL is either on an allow-list (computed traits, event columns) or matches a strict
 * pattern and is then passed as a bound parameter; every value is a bound parameter.
 */

/** Property and trait paths: `plan`, `address.country`, `item_2`. No quotes, spaces or SQL. */
export const PROPERTY_PATH = /^[A-Za-z_$][A-Za-z0-9_$-]{0,63}(\.[A-Za-z_$][A-Za-z0-9_$-]{0,63}){0,4}$/;
const propertyPath = z.string().regex(PROPERTY_PATH, 'must be a property name like "plan" or "address.country" (letters, digits, _ - $, dots between parts)');

export const COMPARISON_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'not_contains', 'starts_with', 'in', 'not_in', 'exists', 'not_exists'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** Computed traits a definition may compare, with their types (the SQL printer maps each to an expression). */
export const COMPUTED_TRAITS = {
  first_seen: 'date', last_seen: 'date', events_count: 'number', sessions: 'number', orders_count: 'number',
  lifetime_revenue: 'number', average_order_value: 'number', first_order_at: 'date', last_order_at: 'date',
  days_since_last_order: 'number', days_since_last_seen: 'number', discount_share: 'number',
  first_touch_source: 'string', first_touch_medium: 'string', first_touch_campaign: 'string',
  first_touch_content: 'string', first_touch_term: 'string', first_touch_click_id: 'string', first_touch_ad_id: 'string',
  last_touch_source: 'string', last_touch_medium: 'string', last_touch_campaign: 'string',
  click_ids: 'array', favourite_categories: 'array', email: 'string', phone: 'string', country: 'string',
} as const;
export type ComputedTraitName = keyof typeof COMPUTED_TRAITS;

/** Event columns a property filter may name directly (hot columns of `events`). */
export const EVENT_COLUMNS = {
  type: 'string', page_url: 'string', page_path: 'string', page_referrer: 'string', utm_source: 'string', utm_medium: 'string',
  utm_campaign: 'string', utm_term: 'string', utm_content: 'string', fbclid: 'string', gclid: 'string', ttclid: 'string',
  order_id: 'string', revenue: 'number', currency: 'string', browser: 'string', os: 'string', device_type: 'string',
} as const;
export type EventColumnName = keyof typeof EVENT_COLUMNS;

const scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);
const comparisonValue = z.union([scalar, z.array(z.union([z.string().max(1000), z.number().finite()])).min(1).max(1000)]).optional();

const comparison = {
  op: z.enum(COMPARISON_OPERATORS),
  value: comparisonValue,
};

/** A filter on one event property (JSON) or one hot event column. */
export const propertyFilterSchema = z
  .strictObject({
    property: propertyPath.optional(),
    column: z.enum(Object.keys(EVENT_COLUMNS) as [EventColumnName, ...EventColumnName[]]).optional(),
    ...comparison,
  })
  .refine((f) => (f.property === undefined) !== (f.column === undefined), { message: 'give exactly one of "property" or "column"' });
export type PropertyFilter = z.infer<typeof propertyFilterSchema>;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?)?$/, 'must be an ISO date like 2024-05-01 or 2024-05-01T10:00:00Z');
const timeWindow = {
  within_days: z.number().int().min(1).max(3650).optional(),
  between: z.strictObject({ from: isoDate, to: isoDate }).optional(),
};
const eventName = z.string().min(1).max(200);

export interface AndCondition { type: 'and'; conditions: Condition[] }
export interface OrCondition { type: 'or'; conditions: Condition[] }
export interface NotCondition { type: 'not'; condition: Condition }
export type TraitCondition = { type: 'trait'; trait: string; op: ComparisonOperator; value?: z.infer<typeof comparisonValue> };
export type ComputedCondition = { type: 'computed'; trait: ComputedTraitName; op: ComparisonOperator; value?: z.infer<typeof comparisonValue> };
export interface EventCondition {
  type: 'event';
  event: string;
  where?: PropertyFilter[] | undefined;
  /** did: at least 1 (default); did_not: none; at_least / at_most / exactly: N times. */
  count?: { op: 'at_least' | 'at_most' | 'exactly'; value: number } | undefined;
  did?: boolean | undefined;
  within_days?: number | undefined;
  between?: { from: string; to: string } | undefined;
}
export interface FunnelCondition {
  type: 'funnel';
  steps: { event: string; where?: PropertyFilter[] | undefined }[];
  /** Reached step `reached` (1-based) but not step `reached + 1` within `window_days` of step 1. */
  reached: number;
  window_days: number;
  within_days?: number | undefined;
  between?: { from: string; to: string } | undefined;
}
export interface TagCondition { type: 'tag'; tag: string }
export interface SegmentCondition { type: 'segment'; segment: string }
export type Condition = AndCondition | OrCondition | NotCondition | TraitCondition | ComputedCondition | EventCondition | FunnelCondition | TagCondition | SegmentCondition;

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('and'), conditions: z.array(conditionSchema).min(1).max(50) }),
    z.strictObject({ type: z.literal('or'), conditions: z.array(conditionSchema).min(1).max(50) }),
    z.strictObject({ type: z.literal('not'), condition: conditionSchema }),
    z.strictObject({ type: z.literal('trait'), trait: propertyPath, ...comparison }),
    z.strictObject({ type: z.literal('computed'), trait: z.enum(Object.keys(COMPUTED_TRAITS) as [ComputedTraitName, ...ComputedTraitName[]]), ...comparison }),
    z.strictObject({
      type: z.literal('event'),
      event: eventName,
      where: z.array(propertyFilterSchema).max(20).optional(),
      count: z.strictObject({ op: z.enum(['at_least', 'at_most', 'exactly']), value: z.number().int().min(0).max(1_000_000) }).optional(),
      did: z.boolean().optional(),
      ...timeWindow,
    }),
    z.strictObject({
      type: z.literal('funnel'),
      steps: z.array(z.strictObject({ event: eventName, where: z.array(propertyFilterSchema).max(20).optional() })).min(2).max(10),
      reached: z.number().int().min(1),
      window_days: z.number().int().min(1).max(365),
      ...timeWindow,
    }),
    z.strictObject({ type: z.literal('tag'), tag: z.string().regex(/^[a-z0-9_:.\- ]{1,200}$/i, 'must be a tag name (letters, digits, _ : . - and spaces)') }),
    z.strictObject({ type: z.literal('segment'), segment: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a segment id') }),
  ]),
) as z.ZodType<Condition>;

/** Create/update/preview input of the segments and tags API. */
export const segmentInputSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
  definition: conditionSchema,
});
export type SegmentInput = z.infer<typeof segmentInputSchema>;

export const segmentPreviewSchema = z.strictObject({
  name: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  definition: conditionSchema,
  sample: z.number().int().min(0).max(100).default(10),
});

export interface DefinitionIssue {
  /** Where in the request body, e.g. `definition.conditions.1.where.0.property`. */
  path: string;
  message: string;
}

/** zod issues as `{ path, message }` with dotted paths. */
export function definitionIssues(error: z.ZodError): DefinitionIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
