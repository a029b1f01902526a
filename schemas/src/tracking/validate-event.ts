/**
 * Validation of Tracking API messages: the ingest hot path. Every schema is compiled once, here, at
 * module load; a call only runs compiled code.
 *
 * A `track` message whose `event` is an e-commerce spec name (`Order Completed`, ...) also has its
 * `properties` checked against that event's schema; those errors are reported under `/properties`.
 */
import type { ValidateFunction } from 'ajv';
import { isEcommerceEventName } from '../ecommerce/ecommerce-event-schemas.js';
import { ecommercePropertyValidators } from '../ecommerce/ecommerce-validators.js';
import { ajv } from './ajv-instance.js';
import { batchRequestSchema } from './batch-schema.js';
import { messageSchemas } from './message-schemas.js';
import { MESSAGE_TYPES, isMessageType, type MessageType } from './message-type.js';
import type { BatchRequest } from './tracking-message.js';
import {
  VALID,
  invalid,
  quote,
  toValidationErrors,
  type ValidationResult,
} from './validation-result.js';

export { MESSAGE_TYPES, isMessageType, type MessageType } from './message-type.js';
export type { ValidationError, ValidationResult } from './validation-result.js';
export type {
  AliasMessage,
  BatchMessage,
  BatchRequest,
  GroupMessage,
  IdentifyMessage,
  PageMessage,
  ScreenMessage,
  TrackMessage,
  TrackingMessage,
} from './tracking-message.js';

const messageValidators = Object.fromEntries(
  MESSAGE_TYPES.map((type) => [type, ajv.compile(messageSchemas[type])]),
) as Record<MessageType, ValidateFunction>;

const batchValidator = ajv.compile(batchRequestSchema);

/**
 * Validates one message against the schema of `type` (the route's type, or a batch element's own
 * `type`). Never throws, whatever `message` is.
 */
export function validateTrackingMessage(message: unknown, type: MessageType): ValidationResult {
  if (!isMessageType(type)) {
    return invalid([{ path: '/type', message: `must be one of ${MESSAGE_TYPES.map(quote).join(', ')}` }]);
  }
  const validate = messageValidators[type];
  if (!validate(message)) return invalid(toValidationErrors(validate.errors));
  return type === 'track' ? validateEcommerceProperties(message, '') : VALID;
}

/**
 * Validates a whole `/v1/batch` body and stops at the first bad element (paths like
 * `/batch/3/event`). To keep the good events of a batch instead, check that `batch` is an array and
 * call `validateTrackingMessage(element, element.type)` per element, after `isMessageType`.
 */
export function validateBatchRequest(body: unknown): ValidationResult {
  if (!batchValidator(body)) return invalid(toValidationErrors(batchValidator.errors));
  const { batch } = body as BatchRequest;
  for (let i = 0; i < batch.length; i++) {
    const message = batch[i];
    if (message?.type !== 'track') continue;
    const result = validateEcommerceProperties(message, `/batch/${i}`);
    if (!result.ok) return result;
  }
  return VALID;
}

/** `message` has passed the track schema, so `event` is a string and `properties` an object if set. */
function validateEcommerceProperties(message: unknown, pathPrefix: string): ValidationResult {
  const { event, properties } = message as { event: string; properties?: object };
  if (!isEcommerceEventName(event)) return VALID;
  const validate = ecommercePropertyValidators.get(event);
  if (!validate || validate(properties ?? {})) return VALID;
  return invalid(toValidationErrors(validate.errors, `${pathPrefix}/properties`));
}
