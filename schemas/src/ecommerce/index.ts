export { productSchema } from './ecommerce-fields.js';
export * from './ecommerce-event-schemas.js';
export * from './ecommerce-validators.js';
export * from './commerce-columns.js';
