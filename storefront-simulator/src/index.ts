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
export { toEventRow, toEventRowLine } from './senders/to-event-row.js';
export { createBulkWriter, type BulkWriter, type BulkWriterOptions } from './senders/bulk-writer.js';
export { createHttpSender, HttpSendError, type HttpSender, type HttpSenderOptions, type SendStats } from './senders/http-sender.js';
export { AdVisitCounter, buildAdSpend, buildAffiliates, buildExchangeRates, type AdSpendRow, type AffiliateRow, type ExchangeRateRow } from './advertising/ad-spend.js';
export { SIDE_TABLES, type SideTable } from './csv/side-tables.js';
export { parseCsv, toCsv } from './csv/csv-format.js';
export { CsvImportError, importSideDataCsv, insertSideData, parseSideTableCsv, writeSideDataCsv, type SideData } from './csv/import-side-table.js';
export { buildSideData } from './run/side-data.js';
export { runHttpDemo, type DemoResult, type DemoSpeed, type HttpDemoOptions } from './run/run-http-demo.js';
export { DataDirInUseError, openBulkStore, resolveSourceId, runBulkBuild, type BulkBuildOptions, type BulkBuildResult } from './run/run-bulk-build.js';
export { DemoOptionError, formatBulkSummary, formatDemoSummary, parseDemoSpeed, parseEnd, parsePositive } from './cli/demo-cli-options.js';
