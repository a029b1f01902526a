/** @sextant/segment-engine: identity resolution, profiles, computed traits, tags, the segment DSL and segments. */
export * from './identity/identifier.js';
export * from './identity/normalize-phone.js';
export * from './identity/union-find.js';
export * from './identity/extract-identity-edges.js';
export * from './identity/resolve-identities.js';
export * from './traits/refresh-person-traits.js';
export * from './sql/person-sql.js';
