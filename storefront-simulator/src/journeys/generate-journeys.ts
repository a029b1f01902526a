/**
 * The pure, seeded generator: options → a world (catalogue, window, behaviour) → each shopper's
 * journey. No I/O; the senders (HTTP, bulk) consume it. The same seed and window give the same
 * messages, ids included, whatever the order shoppers are generated in.
 */
import { buildCatalog } from '../catalog/build-catalog.js';
import { withConfig, type DeepPartialConfig, type SimulationConfig } from '../config/simulation-config.js';
import { hashHex } from '../random/seeded-random.js';
import type { SimMessage } from './sim-message.js';
import { simulateShopper, type ShopperJourney, type ShopperWorld } from './simulate-shopper.js';

export type { ShopperJourney, ShopperWorld } from './simulate-shopper.js';

const DAY_MS = 86_400_000;

export interface JourneyOptions {
  seed: number | string;
  shoppers: number;
  /** The window's length; it ends at `endMs`. */
  days: number;
  /** Default: now. Fix it (tests, benchmarks) for byte-identical output. */
  endMs?: number;
  /** Behaviour overrides, merged into the defaults. */
  config?: DeepPartialConfig;
  productCount?: number;
}

export function createWorld(options: JourneyOptions): ShopperWorld {
  if (!Number.isInteger(options.shoppers) || options.shoppers < 1) throw new RangeError(`shoppers must be a positive integer, got ${options.shoppers}`);
  if (!(options.days > 0)) throw new RangeError(`days must be positive, got ${options.days}`);
  const endMs = Math.floor(options.endMs ?? Date.now());
  const config: SimulationConfig = withConfig(options.config);
  return {
    seed: options.seed,
    // Ids derive from the seed and the window, so a re-run with the same both is stored once (dedup
    // on messageId) and a run with another seed or end adds new shoppers.
    runTag: hashHex(`${options.seed}|${endMs}`),
    shopperCount: options.shoppers,
    startMs: endMs - Math.round(options.days * DAY_MS),
    endMs,
    catalog: buildCatalog(options.seed, options.productCount),
    config,
  };
}

/** Shoppers `from` (included) to `to` (excluded), one journey at a time: memory stays flat at any scale. */
export function* generateJourneys(world: ShopperWorld, from = 0, to = world.shopperCount): Generator<ShopperJourney> {
  for (let i = from; i < to; i++) yield simulateShopper(world, i);
}

/** Every message of a (small) simulation, in time order across shoppers. */
export function generateMessages(options: JourneyOptions | ShopperWorld): SimMessage[] {
  const world = 'runTag' in options ? options : createWorld(options);
  const all: SimMessage[] = [];
  for (const journey of generateJourneys(world)) for (const m of journey.messages) all.push(m);
  return sortByTimestamp(all);
}

/** Stable sort by the ISO timestamp (one format throughout, so string order is time order). */
export function sortByTimestamp(messages: SimMessage[]): SimMessage[] {
  return messages
    .map((m, i) => ({ m, i }))
    .sort((a, b) => (a.m.timestamp < b.m.timestamp ? -1 : a.m.timestamp > b.m.timestamp ? 1 : a.i - b.i))
    .map((x) => x.m);
}
