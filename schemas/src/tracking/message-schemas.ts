/**
 * JSON Schemas for the single-message endpoints of Segment's HTTP Tracking API
 * (`POST /v1/track|page|screen|identify|alias|group`). `type` is optional here because the route
 * gives it; when present it must match. Unknown top-level fields are allowed: Segment and RudderStack
 * libraries add their own (`channel`, `version`, `receivedAt`, ...).
 */
import {
  commonMessageProperties,
  freeObjectSchema,
  idSchema,
  userOrAnonymousIdRule,
} from './message-fields.js';

export const trackMessageSchema = {
  title: 'Track message',
  type: 'object',
  required: ['event'],
  properties: {
    ...commonMessageProperties,
    type: { const: 'track' },
    event: { type: 'string', minLength: 1, maxLength: 200 },
    properties: freeObjectSchema,
  },
  anyOf: userOrAnonymousIdRule,
  additionalProperties: true,
} as const;

export const pageMessageSchema = {
  title: 'Page message',
  type: 'object',
  properties: {
    ...commonMessageProperties,
    type: { const: 'page' },
    name: { type: 'string' },
    category: { type: 'string' },
    properties: freeObjectSchema,
  },
  anyOf: userOrAnonymousIdRule,
  additionalProperties: true,
} as const;

export const screenMessageSchema = {
  title: 'Screen message',
  type: 'object',
  properties: {
    ...commonMessageProperties,
    type: { const: 'screen' },
    name: { type: 'string' },
    category: { type: 'string' },
    properties: freeObjectSchema,
  },
  anyOf: userOrAnonymousIdRule,
  additionalProperties: true,
} as const;

export const identifyMessageSchema = {
  title: 'Identify message',
  type: 'object',
  properties: {
    ...commonMessageProperties,
    type: { const: 'identify' },
    traits: freeObjectSchema,
  },
  anyOf: userOrAnonymousIdRule,
  additionalProperties: true,
} as const;

/** Alias joins two identities, so both are required and `anonymousId` is not. */
export const aliasMessageSchema = {
  title: 'Alias message',
  type: 'object',
  required: ['userId', 'previousId'],
  properties: {
    ...commonMessageProperties,
    type: { const: 'alias' },
    userId: idSchema,
    previousId: idSchema,
  },
  additionalProperties: true,
} as const;

export const groupMessageSchema = {
  title: 'Group message',
  type: 'object',
  required: ['groupId'],
  properties: {
    ...commonMessageProperties,
    type: { const: 'group' },
    groupId: idSchema,
    traits: freeObjectSchema,
  },
  anyOf: userOrAnonymousIdRule,
  additionalProperties: true,
} as const;

/** One schema per message type: pick the validator by the route, or by a batch element's `type`. */
export const messageSchemas = {
  track: trackMessageSchema,
  page: pageMessageSchema,
  screen: screenMessageSchema,
  identify: identifyMessageSchema,
  alias: aliasMessageSchema,
  group: groupMessageSchema,
} as const;
