/**
 * Field schemas shared by every Tracking API message. Plain `as const` objects so that both ajv
 * (validation) and json-schema-to-ts (`FromSchema`) read the same source.
 */

/**
 * A present identifier: a string of 1..255 characters, or a number (some Segment libraries send
 * numeric ids; ingest stringifies them).
 */
export const idSchema = { type: ['string', 'number'], minLength: 1, maxLength: 255 } as const;

/**
 * An identifier slot that may be empty. Client libraries mark "no id" with `null` (analytics.js
 * sends `userId: null` on an anonymous identify) or `""` (RudderStack); both mean absent and are
 * stored as ''. Where an id is required, the requirement uses `idSchema`, so an empty one fails.
 */
export const optionalIdSchema = { type: ['string', 'number', 'null'], maxLength: 255 } as const;

export const messageIdSchema = { type: 'string', minLength: 1, maxLength: 200 } as const;

/** RFC 3339 date-time: offset or `Z` required, any number of fractional-second digits. */
export const dateTimeSchema = { type: 'string', format: 'date-time' } as const;

/** `context`, `properties`, `traits`, `integrations`: a JSON object (never an array or null). */
export const freeObjectSchema = { type: 'object' } as const;

export const writeKeySchema = { type: 'string', minLength: 1 } as const;

/** Fields every message may carry, whatever its type. */
export const commonMessageProperties = {
  messageId: messageIdSchema,
  anonymousId: optionalIdSchema,
  userId: optionalIdSchema,
  timestamp: dateTimeSchema,
  originalTimestamp: dateTimeSchema,
  sentAt: dateTimeSchema,
  context: freeObjectSchema,
  integrations: freeObjectSchema,
  writeKey: writeKeySchema,
} as const;

/** An id slot that holds something: neither `null` nor `""` (its type is checked by `properties`). */
const presentIdSchema = { not: { enum: [null, ''] } } as const;

/**
 * Every message except `alias` must name who did it: a non-empty `userId` or `anonymousId`.
 * The rule checks presence only, so a present but invalid id (too long, a boolean) is reported at
 * its own path by `properties`, not as "missing".
 */
export const userOrAnonymousIdRule = [
  { required: ['userId'], properties: { userId: presentIdSchema } },
  { required: ['anonymousId'], properties: { anonymousId: presentIdSchema } },
] as const;
