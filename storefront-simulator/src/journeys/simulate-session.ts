/**
 * One visit through the storefront funnel: land → (search, category) → product views → add to cart →
 * cart → checkout (identify, sign up, coupon, payment) → Order Completed; each step taken with the
 * configured probability. A repurchase visit (`intent: 'buy'`) goes through every step.
 */
import { AFFILIATE_WINDOW_MS } from '../config/affiliates.js';
import { localPrice, roundMoney } from '../config/markets.js';
import type { SimulationConfig } from '../config/simulation-config.js';
import type { Catalog, Product } from '../catalog/build-catalog.js';
import type { ShopperState } from '../shoppers/shopper-state.js';
import { pushServerEvent, type SessionWriter } from './session-writer.js';

export type SessionOutcome = 'bounced' | 'browsed' | 'abandoned_cart' | 'abandoned_checkout' | 'purchased';

interface CartLine {
  product: Product;
  variant: string;
  quantity: number;
  price: number;
}

const SEARCH_QUERIES = ['linen', 'sneakers', 'gift', 'serum', 'wallet', 'sale', 'jacket', 'candle'];
const PAYMENT_METHODS = ['card', 'card', 'card', 'paypal', 'apple_pay', 'klarna'];
const REVIEW_BODIES = ['Love it, fits perfectly.', 'Great quality for the price.', 'Arrived quickly, well packed.', 'Good, but runs a bit small.', 'Not what I expected.', 'Would buy again!'];

export function simulateSession(
  w: SessionWriter,
  shopper: ShopperState,
  catalog: Catalog,
  config: SimulationConfig,
  intent: 'browse' | 'buy',
): SessionOutcome {
  const { random, market } = shopper;
  const buy = intent === 'buy';
  const f = config.funnel;
  const productProps = (p: Product, extra: Record<string, unknown> = {}) => ({
    product_id: p.productId, sku: p.sku, name: p.name, category: p.category, brand: p.brand, tags: [...p.tags],
    price: localPrice(p.priceUsd, market), currency: market.currency, url: p.url, image_url: p.imageUrl, ...extra,
  });

  // Landing: ads and affiliates point at a collection, the rest at the home page.
  const landingCategory = random.pick(catalog.categories);
  if (w.landing.adSetId || w.landing.affiliate) w.page('Collection', `/collections/${landingCategory.toLowerCase()}`, {}, landingCategory);
  else w.page('Home', '/');
  if (w.landing.affiliate) shopper.affiliate = { ...w.landing.affiliate, atMs: w.t };
  // Logging in on a device the shopper has not used since identifying joins the two anonymousIds.
  const device = w.device;
  if (shopper.identified && !device.identified && random.chance(0.7)) {
    w.advance(15);
    w.identify({ email: shopper.email });
  }
  if (random.chance(config.search)) {
    w.advance();
    w.track('Products Searched', { query: random.pick(SEARCH_QUERIES) });
  }
  if (random.chance(config.categoryList)) {
    w.advance();
    const category = random.pick(catalog.categories);
    const list = catalog.byCategory.get(category) ?? [];
    w.page('Collection', `/collections/${category.toLowerCase()}`, {}, category);
    w.track('Product List Viewed', {
      list_id: `collection_${category.toLowerCase()}`, category,
      products: list.slice(0, 4).map((p, i) => ({ product_id: p.productId, sku: p.sku, name: p.name, price: localPrice(p.priceUsd, market), position: i + 1 })),
    });
  }

  if (!buy && !random.chance(f.productView)) return finishWithoutCart(w, shopper, config, 'bounced');
  const viewed: Product[] = [];
  const views = Math.min(6, 1 + random.geometric(buy ? 0.5 : 0.35));
  for (let i = 0; i < views; i++) {
    w.advance(40);
    const p = random.weighted(catalog.products, catalog.popularity);
    viewed.push(p);
    w.page('Product', p.path, {}, p.category);
    w.track('Product Viewed', productProps(p));
  }

  if (!buy && !random.chance(f.addToCart)) return finishWithoutCart(w, shopper, config, 'browsed');
  const cartId = `cart_${shopper.idPrefix}${shopper.sequence.toString(36)}`;
  const cart: CartLine[] = [];
  const addLine = (p: Product) => {
    const line = { product: p, variant: random.pick(p.variants), quantity: random.chance(0.15) ? 2 : 1, price: localPrice(p.priceUsd, market) };
    cart.push(line);
    w.advance(20);
    w.track('Product Added', productProps(p, { cart_id: cartId, variant: line.variant, quantity: line.quantity }));
  };
  addLine(viewed[viewed.length - 1] as Product);
  if (viewed.length > 1 && random.chance(config.secondAdd)) addLine(viewed[0] as Product);
  if (cart.length > 1 && random.chance(config.removeFromCart)) {
    const removed = cart.pop() as CartLine;
    w.advance(10);
    w.track('Product Removed', productProps(removed.product, { cart_id: cartId, variant: removed.variant, quantity: removed.quantity }));
  }
  const lineProps = (l: CartLine, i: number) => ({
    product_id: l.product.productId, sku: l.product.sku, name: l.product.name, category: l.product.category,
    brand: l.product.brand, variant: l.variant, price: l.price, quantity: l.quantity, position: i + 1,
  });
  const products = cart.map(lineProps);
  const subtotal = roundMoney(cart.reduce((s, l) => s + l.price * l.quantity, 0), market);
  w.advance(15);
  w.page('Cart', '/cart');
  w.track('Cart Viewed', { cart_id: cartId, currency: market.currency, value: subtotal, products });

  if (!buy && !random.chance(f.checkout)) return 'abandoned_cart';
  w.advance(20);
  const checkoutId = `chk_${shopper.idPrefix}${shopper.sequence.toString(36)}`;
  const orderId = `ord_${shopper.idPrefix}${shopper.orders + 1}`;
  if (!shopper.identified || !device.identified) {
    const traits: Record<string, unknown> = {
      email: shopper.email,
      first_name: shopper.firstName,
      last_name: shopper.lastName,
      country: market.country,
      marketing_consent: shopper.marketingConsent,
    };
    if (random.chance(config.phoneShared)) {
      traits.phone = shopper.phone;
      traits.whatsapp_opt_in = shopper.whatsappOptIn;
    }
    const signUp = !shopper.identified && random.chance(config.signUpAtCheckout);
    w.identify(traits);
    if (signUp) w.track('Signed Up', { method: 'checkout', type: 'account' });
  }
  const coupon = random.chance(config.coupon) ? random.pick(catalog.coupons) : undefined;
  const discount = coupon ? roundMoney((subtotal * coupon.percentOff) / 100, market) : 0;
  const revenue = roundMoney(subtotal - discount, market);
  const shipping = revenue >= localPrice(75, market) ? 0 : localPrice(5, market);
  const order = {
    checkout_id: checkoutId, order_id: orderId, currency: market.currency, value: revenue, revenue, subtotal,
    shipping, tax: 0, discount, total: roundMoney(revenue + shipping, market), products,
    ...(coupon ? { coupon: coupon.code } : {}),
  };
  w.page('Checkout', '/checkout');
  w.track('Checkout Started', order);
  if (coupon) {
    w.advance(10);
    w.track('Coupon Applied', { order_id: orderId, cart_id: cartId, coupon_id: coupon.code, coupon_name: coupon.code, discount });
  }
  w.advance(45);
  w.track('Payment Info Entered', { checkout_id: checkoutId, order_id: orderId, step: 2, payment_method: random.pick(PAYMENT_METHODS) });

  if (!buy && !random.chance(f.purchase)) return 'abandoned_checkout';
  w.advance(10);
  const referral = shopper.affiliate && w.t - shopper.affiliate.atMs <= AFFILIATE_WINDOW_MS ? shopper.affiliate : undefined;
  shopper.orders += 1;
  w.track('Order Completed', {
    ...order,
    ...(referral ? { affiliation: referral.name, affiliate_id: referral.affiliateId, ...(referral.referrerUserId ? { referrer_user_id: referral.referrerUserId } : {}) } : {}),
    order_number: shopper.orders,
  });
  w.page('Order Confirmation', `/checkout/thank-you`);
  if (!shopper.member && random.chance(config.membership)) {
    const plan = random.pick(catalog.membershipPlans);
    shopper.member = true;
    w.advance(20);
    w.track('Membership Started', { plan: plan.plan, price: plan.priceUsd === 0 ? 0 : localPrice(plan.priceUsd, market), currency: market.currency, billing_period: 'year' });
  }
  // Later, from the backend: a refund, a review.
  if (random.chance(config.refund)) {
    pushServerEvent(shopper, w.t + random.between(2, 14) * 86_400_000, 'Order Refunded', { order_id: orderId, total: order.total, currency: market.currency, products, reason: random.pick(['wrong_size', 'damaged', 'changed_mind']) });
  }
  if (random.chance(config.review)) {
    const line = random.pick(cart);
    const rating = random.weighted([5, 4, 3, 2, 1], [45, 30, 12, 7, 6]);
    pushServerEvent(shopper, w.t + random.between(5, 20) * 86_400_000, 'Product Reviewed', {
      product_id: line.product.productId, review_id: `rev_${orderId}`, rating, review_body: REVIEW_BODIES[5 - rating] ?? REVIEW_BODIES[0], order_id: orderId,
    });
  }
  return 'purchased';
}

/** A visit that ended before the cart: an anonymous shopper may still join the newsletter. */
function finishWithoutCart(w: SessionWriter, shopper: ShopperState, config: SimulationConfig, outcome: SessionOutcome): SessionOutcome {
  if (!shopper.identified && shopper.random.chance(config.newsletterSignUp)) {
    w.advance(20);
    // joining the newsletter is consent to marketing
    w.identify({ email: shopper.email, country: shopper.market.country, newsletter: true, marketing_consent: true });
    w.track('Signed Up', { method: 'newsletter_popup', type: 'newsletter' });
  }
  return outcome;
}
