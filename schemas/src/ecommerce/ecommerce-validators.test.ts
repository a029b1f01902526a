import { describe, expect, it } from 'vitest';
import { toValidationErrors } from '../tracking/validation-result.js';
import { ECOMMERCE_EVENT_NAMES, isEcommerceEventName, type EcommerceEventName } from './ecommerce-event-schemas.js';
import { ecommercePropertyValidators } from './ecommerce-validators.js';

const product = {
  product_id: '507f1f77bcf86cd799439011',
  sku: 'G-32',
  category: 'Games',
  name: 'Monopoly: 3rd Edition',
  brand: 'Hasbro',
  variant: '200 pieces',
  price: 18.99,
  quantity: 1,
  coupon: 'MAYDEALS',
  position: 3,
  url: 'https://www.example.com/product/path',
  image_url: 'https://www.example.com/product/path.jpg',
};
const order = {
  checkout_id: 'fksdjfsdjfisjf9sdfjsd9f',
  order_id: '50314b8e9bcf000000000000',
  affiliation: 'Google Store',
  total: 27.5,
  subtotal: 22.5,
  revenue: 25.0,
  shipping: 3,
  tax: 2,
  discount: 2.5,
  coupon: 'hasbros',
  currency: 'USD',
  products: [product, { product_id: 505, sku: 'P-1', price: 4.5, quantity: 2 }],
};
const step = { checkout_id: '50314b8e9bcf000000000000', step: 2, shipping_method: 'Fedex', payment_method: 'Visa' };
const promotion = { promotion_id: 'promo_1', creative: 'top_banner_2', name: '75% store-wide shoe sale', position: 'home_banner_top' };

/** One valid `properties` per spec event, taken from the examples of Segment's e-commerce spec. */
const examples: Record<EcommerceEventName, Record<string, unknown>> = {
  'Products Searched': { query: 'blue roses' },
  'Product List Viewed': { list_id: 'hot_deals_1', category: 'Deals', products: [product] },
  'Product Clicked': product,
  'Product Viewed': { ...product, currency: 'usd', value: 18.99 },
  'Product Added': { ...product, cart_id: 'skdjsidjsdkdj29j' },
  'Product Removed': { ...product, cart_id: 'skdjsidjsdkdj29j' },
  'Cart Viewed': { cart_id: 'skdjsidjsdkdj29j', products: [product] },
  'Checkout Started': { ...order, value: 30 },
  'Checkout Step Viewed': step,
  'Checkout Step Completed': step,
  'Payment Info Entered': { ...step, order_id: '50314b8e9bcf000000000000' },
  'Order Completed': order,
  'Order Updated': order,
  'Order Refunded': { order_id: '50314b8e9bcf000000000000', total: 30, currency: 'USD', products: [product] },
  'Order Cancelled': order,
  'Coupon Applied': { order_id: '50314b8e9bcf000000000000', cart_id: 'c1', coupon_id: 'may_deals_2016', coupon_name: 'May Deals 2016', discount: 23.32 },
  'Promotion Viewed': promotion,
  'Promotion Clicked': { ...promotion, position: 2 },
  'Product Reviewed': { product_id: '507f1f77bcf86cd799439011', review_id: 'kdfjrj39fj39jf3', review_body: 'I love this product', rating: 5 },
  'Product Added to Wishlist': { ...product, wishlist_id: 'skdjsidjsdkdj29j', wishlist_name: 'Loved Games' },
};

function validate(event: EcommerceEventName, properties: unknown) {
  const validator = ecommercePropertyValidators.get(event);
  if (!validator) throw new Error(`no validator for ${event}`);
  return validator(properties) ? [] : toValidationErrors(validator.errors);
}

describe('e-commerce property validators', () => {
  it('cover exactly the spec event names', () => {
    expect([...ecommercePropertyValidators.keys()]).toEqual(ECOMMERCE_EVENT_NAMES);
    expect(Object.keys(examples).sort()).toEqual([...ECOMMERCE_EVENT_NAMES].sort());
  });

  it.each(ECOMMERCE_EVENT_NAMES)('accept the spec example of %s', (event) => {
    expect(validate(event, examples[event])).toEqual([]);
  });

  it.each(ECOMMERCE_EVENT_NAMES)('accept %s with no properties at all, and extra ones', (event) => {
    expect(validate(event, {})).toEqual([]);
    expect(validate(event, { shop_locale: 'fr-CA', nested: { any: ['thing'] } })).toEqual([]);
  });

  it.each<[EcommerceEventName, Record<string, unknown>, string]>([
    ['Order Completed', { revenue: 'abc' }, '/revenue'],
    ['Order Completed', { total: -1 }, '/total'],
    ['Order Completed', { currency: 'US' }, '/currency'],
    ['Order Completed', { currency: 'US$' }, '/currency'],
    ['Order Completed', { currency: 840 }, '/currency'],
    ['Order Completed', { products: { sku: 'A' } }, '/products'],
    ['Order Completed', { products: ['sku-1'] }, '/products/0'],
    ['Order Completed', { products: [product, { ...product, quantity: -1 }] }, '/products/1/quantity'],
    ['Order Refunded', { order_id: true }, '/order_id'],
    ['Checkout Started', { shipping: '5.00' }, '/shipping'],
    ['Checkout Started', { tax: null }, '/tax'],
    ['Product Added', { quantity: 2.5 }, '/quantity'],
    ['Product Added', { price: -0.01 }, '/price'],
    ['Product Viewed', { name: 42 }, '/name'],
    ['Cart Viewed', { products: [{ price: '9.99' }] }, '/products/0/price'],
    ['Product Reviewed', { rating: 'five' }, '/rating'],
    ['Coupon Applied', { discount: '10%' }, '/discount'],
    ['Checkout Step Viewed', { step: 'two' }, '/step'],
    ['Promotion Clicked', { position: {} }, '/position'],
    ['Products Searched', { query: ['a'] }, '/query'],
  ])('reject %s with %j', (event, properties, path) => {
    expect(validate(event, properties)).toEqual([{ path, message: expect.any(String) }]);
  });

  it.each([[-5], [0], [12.5]])('accept a signed discount of %d', (discount) => {
    expect(validate('Order Completed', { discount })).toEqual([]);
  });

  it.each([['Order Completed', true], ['order completed', false], ['constructor', false], ['__proto__', false], [42, false]])(
    'isEcommerceEventName(%j) is %s',
    (name, expected) => {
      expect(isEcommerceEventName(name)).toBe(expected);
    },
  );
});
