/**
 * The body of `POST /v1/batch`. Each element must carry `type`; the `discriminator` keyword makes a
 * validator pick the element's schema by that value instead of trying all six (OpenAPI 3 reads the
 * same keyword; an ajv that compiles this schema needs the `discriminator: true` option).
 */
import { dateTimeSchema, freeObjectSchema, writeKeySchema } from './message-fields.js';
import { MESSAGE_TYPES } from './message-type.js';
import {
  aliasMessageSchema,
  groupMessageSchema,
  identifyMessageSchema,
  pageMessageSchema,
  screenMessageSchema,
  trackMessageSchema,
} from './message-schemas.js';

/** One element of `batch`: any message, with `type` required. */
export const batchMessageSchema = {
  title: 'Batch message',
  type: 'object',
  required: ['type'],
  properties: { type: { enum: MESSAGE_TYPES } },
  discriminator: { propertyName: 'type' },
  oneOf: [
    trackMessageSchema,
    pageMessageSchema,
    screenMessageSchema,
    identifyMessageSchema,
    aliasMessageSchema,
    groupMessageSchema,
  ],
} as const;

/** `context`, `integrations` and `sentAt` given here apply to every element (Segment semantics). */
export const batchRequestSchema = {
  title: 'Batch request',
  type: 'object',
  required: ['batch'],
  properties: {
    batch: { type: 'array', items: batchMessageSchema },
    context: freeObjectSchema,
    integrations: freeObjectSchema,
    writeKey: writeKeySchema,
    sentAt: dateTimeSchema,
  },
  additionalProperties: true,
} as const;
