/**
 * A shopper's life in the simulated window: the first visit from an acquisition channel, then return
 * visits (retargeting, email, direct, search; an abandoned-cart reminder), sometimes on another
 * device, and after each order a repurchase with a probability that rises with the order count.
 */
import type { Catalog } from '../catalog/build-catalog.js';
import { CHANNEL_KEYS, type ChannelKey } from '../config/channels.js';
import { HOUR_WEIGHTS } from '../config/markets.js';
import { repeatProbability, type SimulationConfig } from '../config/simulation-config.js';
import { forKey, type Random } from '../random/seeded-random.js';
import { addDevice, createShopper, type DeviceState, type ShopperState } from '../shoppers/shopper-state.js';
import { buildLanding } from './landing-page.js';
import { SessionWriter } from './session-writer.js';
import type { SimMessage } from './sim-message.js';
import { simulateSession } from './simulate-session.js';

const DAY_MS = 86_400_000;
const HOURS = Array.from({ length: 24 }, (_, h) => h);

export interface ShopperWorld {
  seed: number | string;
  runTag: string;
  shopperCount: number;
  startMs: number;
  endMs: number;
  catalog: Catalog;
  config: SimulationConfig;
}

export interface ShopperJourney {
  index: number;
  userId: string;
  country: string;
  /** Time-ordered, all inside the window. */
  messages: SimMessage[];
  /** Visits from ads inside the window: when and which ad set (for the advertising report). */
  adVisits: { atMs: number; adSetId: string }[];
  /** The channel of the first visit. */
  acquisitionChannel: ChannelKey;
}

export function simulateShopper(world: ShopperWorld, index: number): ShopperJourney {
  const random = forKey(world.seed, 'shopper', index);
  const shopper = createShopper(index, world.runTag, random);
  const { config } = world;
  const acquisitionChannel = random.weighted(CHANNEL_KEYS, CHANNEL_KEYS.map((k) => config.channelShares[k]));
  const adVisits: ShopperJourney['adVisits'] = [];

  let t = firstVisitTime(random, world, shopper.market.utcOffsetHours);
  let channel: ChannelKey = acquisitionChannel;
  let intent: 'browse' | 'buy' = 'browse';
  let abandonedCartEmail = false;
  let browseSessions = 0;
  while (t <= world.endMs) {
    if (intent === 'browse') browseSessions += 1;
    // Return visits sometimes come from another device (a new anonymousId until the shopper logs in).
    const returning = browseSessions > 1 || intent === 'buy';
    const device =
      returning && shopper.devices.length < 3 && random.chance(config.otherDevice)
        ? addDevice(shopper)
        : (shopper.devices[returning ? random.int(0, shopper.devices.length - 1) : 0] as DeviceState);
    const landing = buildLanding(channel, random, config, { abandonedCart: abandonedCartEmail, shopperCount: world.shopperCount, runTag: world.runTag });
    if (landing.adSetId) adVisits.push({ atMs: t, adSetId: landing.adSetId });
    const writer = new SessionWriter(shopper, device, landing, t);
    const outcome = simulateSession(writer, shopper, world.catalog, config, intent);
    const ended = writer.t;

    abandonedCartEmail = false;
    if (outcome === 'purchased') {
      // Each order makes the next likelier; a buyer who does not come back to buy is done.
      if (!random.chance(repeatProbability(config, shopper.orders))) break;
      t = ended + random.between(config.repeatDelayDays.min, config.repeatDelayDays.max) * DAY_MS;
      intent = 'buy';
      channel = returnChannel(random, config, shopper);
      continue;
    }
    intent = 'browse';
    if (browseSessions >= config.maxSessions) break;
    if ((outcome === 'abandoned_cart' || outcome === 'abandoned_checkout') && shopper.identified && random.chance(config.abandonedCartEmailClick)) {
      t = ended + (1 + random.exponential(20)) * 3_600_000;
      channel = 'email';
      abandonedCartEmail = true;
    } else if (random.chance(config.returnVisit)) {
      t = ended + random.exponential(config.returnDelayMeanDays) * DAY_MS + 60_000;
      channel = returnChannel(random, config, shopper);
    } else {
      break;
    }
  }
  return {
    index,
    userId: shopper.userId,
    country: shopper.market.country,
    messages: inWindow(shopper, world.endMs),
    adVisits,
    acquisitionChannel,
  };
}

function returnChannel(random: Random, config: SimulationConfig, shopper: ShopperState): ChannelKey {
  const keys = Object.keys(config.returnChannelShares) as ChannelKey[];
  const channel = random.weighted(keys, keys.map((k) => config.returnChannelShares[k] ?? 0));
  // Only a shopper who gave an email address gets newsletters.
  return channel === 'email' && !shopper.identified ? 'direct' : channel;
}

/** A uniform day in the window, at an hour drawn from the local shopping-hours curve. */
function firstVisitTime(random: Random, world: ShopperWorld, utcOffsetHours: number): number {
  const uniform = random.between(world.startMs, world.endMs);
  const hour = random.weighted(HOURS, HOUR_WEIGHTS);
  const dayStart = Math.floor(uniform / DAY_MS) * DAY_MS;
  const t = dayStart + (hour - utcOffsetHours) * 3_600_000 + random.between(0, 3_600_000);
  return t >= world.startMs && t <= world.endMs ? t : uniform;
}

/** Sessions can run past the window's end and backend events come days later: keep what already happened. */
function inWindow(shopper: ShopperState, endMs: number): SimMessage[] {
  const endIso = new Date(endMs).toISOString();
  const kept = shopper.messages.filter((m) => m.timestamp <= endIso);
  // Backend events were written out of order; ISO strings of one format sort as times do.
  let sorted = true;
  for (let i = 1; i < kept.length && sorted; i++) sorted = (kept[i - 1] as SimMessage).timestamp <= (kept[i] as SimMessage).timestamp;
  return sorted ? kept : kept.map((m, i) => ({ m, i })).sort((a, b) => (a.m.timestamp < b.m.timestamp ? -1 : a.m.timestamp > b.m.timestamp ? 1 : a.i - b.i)).map((x) => x.m);
}
