/**
 * Field schemas of Segment's e-commerce spec (v2), shared by the event schemas.
 * https://segment.com/docs/connections/spec/ecommerce/v2/
 */

/** A price or amount: a number, never negative. */
export const moneySchema = { type: 'number', minimum: 0 } as const;

/** `discount` may be signed (stores report discounts either way). */
export const discountSchema = { type: 'number' } as const;

export const quantitySchema = { type: 'integer', minimum: 0 } as const;

/** ISO 4217 code; case is not checked (`usd` is common), the loader upper-cases it. */
export const currencySchema = { type: 'string', pattern: '^[A-Za-z]{3}$' } as const;

/**
 * `product_id`, `order_id`, `cart_id`, ...: the spec says string, but store platforms often send
 * numbers (Shopify, WooCommerce); both are accepted and stored as text.
 */
export const entityIdSchema = { type: ['string', 'number'] } as const;

export const textSchema = { type: 'string' } as const;

/** The fields describing one product, on product events and inside `products[]`. */
export const productProperties = {
  product_id: entityIdSchema,
  sku: textSchema,
  category: textSchema,
  name: textSchema,
  brand: textSchema,
  variant: textSchema,
  price: moneySchema,
  quantity: quantitySchema,
  coupon: textSchema,
  position: { type: 'number', minimum: 0 },
  url: textSchema,
  image_url: textSchema,
} as const;

export const productSchema = {
  title: 'Product',
  type: 'object',
  properties: productProperties,
  additionalProperties: true,
} as const;

export const productsSchema = { type: 'array', items: productSchema } as const;

/** The fields of an order (Checkout Started, Order Completed/Updated/Refunded/Cancelled). */
export const orderProperties = {
  checkout_id: entityIdSchema,
  order_id: entityIdSchema,
  affiliation: textSchema,
  value: moneySchema,
  subtotal: moneySchema,
  total: moneySchema,
  revenue: moneySchema,
  shipping: moneySchema,
  tax: moneySchema,
  discount: discountSchema,
  coupon: textSchema,
  currency: currencySchema,
  products: productsSchema,
} as const;

/** The fields of a checkout step (Checkout Step Viewed/Completed, Payment Info Entered). */
export const checkoutStepProperties = {
  checkout_id: entityIdSchema,
  order_id: entityIdSchema,
  step: { type: 'number', minimum: 0 },
  shipping_method: textSchema,
  payment_method: textSchema,
} as const;

export const promotionProperties = {
  promotion_id: entityIdSchema,
  creative: textSchema,
  name: textSchema,
  /** A slot name in the spec (`home_banner_top`); some stores send an index. */
  position: { type: ['string', 'number'] },
} as const;
