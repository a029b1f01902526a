/** @sextant/activation-connectors: Facebook/Instagram Custom Audiences, WhatsApp Cloud API and Meta Conversions API connectors (issue 8). */
export const packageInfo = { name: '@sextant/activation-connectors', role: 'Facebook/Instagram Custom Audiences, WhatsApp Cloud API and Meta Conversions API connectors (issue 8)' } as const;
export * from './identifiers/sha256.js';
export * from './identifiers/normalize-identifier.js';
export * from './identifiers/hash-identifiers.js';
export type * from './identifiers/member.js';
export * from './errors.js';
export * from './connector.js';
export * from './graph/graph-client.js';
export * from './custom-audience/custom-audience-destination.js';
export * from './facebook-custom-audience/index.js';
export * from './instagram-custom-audience/index.js';
export * from './whatsapp/index.js';
export * from './conversions-api/index.js';
export * from './registry.js';
export * from './fake-meta-server/fake-meta-server.js';
export * from './fake-meta-server/graph-error.js';
export * from './secrets/secret-box.js';
