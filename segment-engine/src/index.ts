/** @sextant/segment-engine: identity resolution, profiles, computed traits, tags, the segment DSL and segments. */
export * from './errors.js';
export * from './identity/identifier.js';
export * from './identity/normalize-phone.js';
export * from './identity/union-find.js';
export * from './identity/extract-identity-edges.js';
export * from './identity/resolve-identities.js';
export * from './traits/refresh-person-traits.js';
export * from './tags/built-in-tags.js';
export * from './dsl/compile-segment.js';
export * from './segments/segment-repository.js';
export * from './segments/refresh-memberships.js';
export * from './refresh/refresh-engine.js';
export * from './profiles/find-person.js';
export * from './profiles/load-profile.js';
export * from './privacy/delete-person.js';
export * from './sql/person-sql.js';
