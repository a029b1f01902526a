/** The e-commerce property schemas, compiled once at module load on the shared ajv instance. */
import type { ValidateFunction } from 'ajv';
import { ajv } from '../tracking/ajv-instance.js';
import {
  ECOMMERCE_EVENT_NAMES,
  ecommercePropertySchemas,
  type EcommerceEventName,
} from './ecommerce-event-schemas.js';

/** Event name → validator of that event's `properties`. */
export const ecommercePropertyValidators: ReadonlyMap<EcommerceEventName, ValidateFunction> = new Map(
  ECOMMERCE_EVENT_NAMES.map((name) => [name, ajv.compile(ecommercePropertySchemas[name])]),
);
