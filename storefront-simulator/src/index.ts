/**
 * @sextant/storefront-simulator: a seeded simulation of a cross-border DTC storefront (catalogue,
 * shoppers, channels, journeys as Segment messages) and the ways to load it: the real tracking API
 * over HTTP, or bulk inserts straight into ClickHouse for benchmark datasets.
 */
export { createRandom, forKey, hashHex, type Random } from './random/seeded-random.js';
export { CHANNELS, CHANNEL_KEYS, classifyChannel, type ChannelKey, type ChannelDefinition } from './config/channels.js';
export { DEFAULT_SIMULATION_CONFIG, repeatProbability, withConfig, type SimulationConfig, type DeepPartialConfig, type FunnelProbabilities } from './config/simulation-config.js';
export { MARKETS, type Market } from './config/markets.js';
export { DEVICES, type Device } from './config/devices.js';
export { AFFILIATES, CUSTOMER_REFERRAL, type Affiliate } from './config/affiliates.js';
export { buildCatalog, type Catalog, type Product } from './catalog/build-catalog.js';
export type { SimMessage, SimMessageType } from './journeys/sim-message.js';
export { createWorld, generateJourneys, generateMessages, sortByTimestamp, type JourneyOptions, type ShopperJourney, type ShopperWorld } from './journeys/generate-journeys.js';
