/**
 * @sextant/sdk-browser: Sextant's browser tracking SDK (ESM). For the copy-paste snippet and the
 * one-file script see `renderSnippet` in `@sextant/sdk-browser/snippet` and `dist/sextant.js`.
 *
 * ```ts
 * import { sextant } from '@sextant/sdk-browser';
 * sextant.load('WRITE_KEY', { host: 'https://shop.example' });
 * sextant.productViewed({ product_id: 'sku-1', price: 25, currency: 'EUR' });
 * ```
 */
import { createSextant, type Sextant } from './core/sextant.js';

export { createSextant } from './core/sextant.js';
export type { Sextant, UserState } from './core/sextant.js';
export type { CallOptions, ConsentChoice, LoadOptions, Message, MessageType, Properties, Traits } from './core/types.js';
export type { CheckoutStep, EcommerceHelpers, Order, Product, ProductEvent } from './ecommerce/ecommerce-events.js';
export { VERSION } from './core/version.js';

/** The default instance. */
export const sextant: Sextant = createSextant();
