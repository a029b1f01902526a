import { z } from 'zod';
import { funnelDefinitionSchema } from './analytics-definitions.js';

/**
 * Inputs of the funnel routes that take more than a definition (`as_of`, drop-offs), and the definition
 * of a segment saved from a funnel's drop-offs: a snapshot, not a rule.
 */

const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?)?$/, 'must be an ISO date like 2024-05-01 or 2024-05-01T10:00:00Z');
/** "Now" of a funnel answer: persons whose window is still open then are in progress, not drop-offs. Default: the request time. */
const asOf = isoTime.optional();

/** `POST /api/analytics/funnels`: a funnel definition and optionally `as_of`. */
export const funnelRunInputSchema = funnelDefinitionSchema.extend({ as_of: asOf });

/** `POST /api/analytics/funnels/drop-offs`: who stopped at `step` with their window closed. */
export const funnelDropOffsInputSchema = z.strictObject({
  funnel: funnelDefinitionSchema,
  /** 1-based, below the number of steps (nobody drops off at the last step). */
  step: z.number().int().min(1).max(9),
  /** Only the persons of this breakdown value (the funnel must have a breakdown). */
  breakdown_value: z.string().max(1000).optional(),
  as_of: asOf,
});
export type FunnelDropOffsInput = z.infer<typeof funnelDropOffsInputSchema>;

/** `POST /api/analytics/funnels/drop-offs/segment`: the same, saved as a snapshot segment named `name`. */
export const funnelDropOffSegmentInputSchema = funnelDropOffsInputSchema.extend({ name: z.string().max(200).optional() });
export type FunnelDropOffSegmentInput = z.infer<typeof funnelDropOffSegmentInputSchema>;

/**
 * The stored definition of a snapshot segment: its members were written once, when it was saved (the
 * drop-offs the funnel reported at `taken_at`), and segment refreshes never recompute them. `funnel`,
 * `step` and `breakdown_value` say what they were taken from; they are not re-run.
 */
export const segmentSnapshotDefinitionSchema = z.strictObject({
  type: z.literal('snapshot'),
  source: z.literal('funnel_drop_offs'),
  taken_at: z.string(),
  funnel: funnelDefinitionSchema,
  step: z.number().int().min(1),
  breakdown_value: z.string().optional(),
});
export type SegmentSnapshotDefinition = z.infer<typeof segmentSnapshotDefinitionSchema>;
