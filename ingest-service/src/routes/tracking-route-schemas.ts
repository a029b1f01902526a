import { batchRequestSchema, messageSchemas } from '@sextant/schemas';

/** Request bodies for the OpenAPI document; the schemas themselves come from @sextant/schemas. */
export const trackingBodySchemas = {
  batch: batchRequestSchema,
  track: messageSchemas.track,
  page: messageSchemas.page,
  screen: messageSchemas.screen,
  identify: messageSchemas.identify,
  alias: messageSchemas.alias,
  group: messageSchemas.group,
} as const;

const errorSchema = {
  type: 'object',
  properties: {
    success: { type: 'boolean', const: false },
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {},
      },
      required: ['code', 'message'],
    },
  },
  required: ['success', 'error'],
} as const;

const rejectedEventSchema = {
  type: 'object',
  properties: {
    index: { type: 'integer' },
    messageId: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
    details: {},
  },
  required: ['index', 'code', 'message'],
} as const;

export { errorSchema };

/** 200: everything accepted; 207: some accepted, the rest listed; 4xx/503: nothing accepted. */
export const trackingResponseSchemas = {
  200: { type: 'object', properties: { success: { type: 'boolean', const: true } }, required: ['success'] },
  207: {
    type: 'object',
    properties: {
      success: { type: 'boolean' },
      accepted: { type: 'integer' },
      rejected: { type: 'array', items: rejectedEventSchema },
    },
    required: ['success', 'accepted', 'rejected'],
  },
  '4xx': errorSchema,
  '5xx': errorSchema,
} as const;
