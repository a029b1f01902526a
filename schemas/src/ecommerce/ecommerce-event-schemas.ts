/**
 * JSON Schemas for the `properties` of Segment's e-commerce spec events, keyed by event name.
 * Nothing is required (Segment's libraries do not enforce the spec, and an event missing a field is
 * still worth keeping); a field that is present must have the spec's type. Extra fields are allowed.
 */
import type { FromSchema } from 'json-schema-to-ts';
import {
  checkoutStepProperties,
  currencySchema,
  discountSchema,
  entityIdSchema,
  moneySchema,
  orderProperties,
  productProperties,
  productSchema,
  productsSchema,
  promotionProperties,
  textSchema,
} from './ecommerce-fields.js';

/** A single-product event also says which cart and in what currency the price is. */
const productEventSchema = {
  type: 'object',
  properties: { ...productProperties, cart_id: entityIdSchema, currency: currencySchema, value: moneySchema },
  additionalProperties: true,
} as const;

const orderEventSchema = { type: 'object', properties: orderProperties, additionalProperties: true } as const;

const checkoutStepEventSchema = {
  type: 'object',
  properties: checkoutStepProperties,
  additionalProperties: true,
} as const;

const promotionEventSchema = {
  type: 'object',
  properties: promotionProperties,
  additionalProperties: true,
} as const;

export const ecommercePropertySchemas = {
  'Products Searched': {
    type: 'object',
    properties: { query: textSchema },
    additionalProperties: true,
  },
  'Product List Viewed': {
    type: 'object',
    properties: { list_id: entityIdSchema, category: textSchema, products: productsSchema },
    additionalProperties: true,
  },
  'Product Clicked': productEventSchema,
  'Product Viewed': productEventSchema,
  'Product Added': productEventSchema,
  'Product Removed': productEventSchema,
  'Cart Viewed': {
    type: 'object',
    properties: {
      cart_id: entityIdSchema,
      currency: currencySchema,
      value: moneySchema,
      products: productsSchema,
    },
    additionalProperties: true,
  },
  'Checkout Started': orderEventSchema,
  'Checkout Step Viewed': checkoutStepEventSchema,
  'Checkout Step Completed': checkoutStepEventSchema,
  'Payment Info Entered': checkoutStepEventSchema,
  'Order Completed': orderEventSchema,
  'Order Updated': orderEventSchema,
  'Order Refunded': orderEventSchema,
  'Order Cancelled': orderEventSchema,
  'Coupon Applied': {
    type: 'object',
    properties: {
      order_id: entityIdSchema,
      cart_id: entityIdSchema,
      coupon_id: entityIdSchema,
      coupon_name: textSchema,
      discount: discountSchema,
    },
    additionalProperties: true,
  },
  'Promotion Viewed': promotionEventSchema,
  'Promotion Clicked': promotionEventSchema,
  'Product Reviewed': {
    type: 'object',
    properties: {
      product_id: entityIdSchema,
      review_id: entityIdSchema,
      review_body: textSchema,
      rating: { type: 'number' },
    },
    additionalProperties: true,
  },
  'Product Added to Wishlist': {
    type: 'object',
    properties: {
      ...productProperties,
      wishlist_id: entityIdSchema,
      wishlist_name: textSchema,
      currency: currencySchema,
    },
    additionalProperties: true,
  },
} as const;

export type EcommerceEventName = keyof typeof ecommercePropertySchemas;

/** The spec event names, exactly as Segment spells them (matching is case-sensitive). */
export const ECOMMERCE_EVENT_NAMES = Object.freeze(
  Object.keys(ecommercePropertySchemas),
) as readonly EcommerceEventName[];

const ecommerceEventNameSet: ReadonlySet<string> = new Set(ECOMMERCE_EVENT_NAMES);

export function isEcommerceEventName(event: unknown): event is EcommerceEventName {
  return typeof event === 'string' && ecommerceEventNameSet.has(event);
}

export type EcommerceProduct = FromSchema<typeof productSchema>;
/** `properties` of Checkout Started and the Order events: what the loader reads revenue from. */
export type OrderProperties = FromSchema<typeof orderEventSchema>;
