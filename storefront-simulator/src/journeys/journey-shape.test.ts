/**
 * Over a simulated month, the generated data shows the configured behaviour: the channel mix of
 * first visits, the funnel rates, and repeat purchases that get likelier with each order. Measured
 * from the messages themselves, as a report over the stored events would.
 */
import { describe, expect, it } from 'vitest';
import { CHANNEL_KEYS, classifyChannel, type ChannelKey } from '../config/channels.js';
import { DEFAULT_SIMULATION_CONFIG as CONFIG } from '../config/simulation-config.js';
import { createWorld, generateJourneys } from './generate-journeys.js';
import type { SimMessage } from './sim-message.js';
import { FIXED_END_MS } from '../../test/fixtures/simulation.js';

const SHOPPERS = 30_000;
const DAY_MS = 86_400_000;

interface Rate {
  hits: number;
  of: number;
}

/** |observed - expected| within 4 standard errors of a proportion over `of` trials. */
function expectRate(name: string, rate: Rate, expected: number): void {
  const observed = rate.hits / rate.of;
  const tolerance = 4 * Math.sqrt((expected * (1 - expected)) / rate.of);
  expect(Math.abs(observed - expected), `${name}: ${observed.toFixed(4)} over ${rate.of} vs ${expected} ± ${tolerance.toFixed(4)}`).toBeLessThanOrEqual(tolerance);
}

function measure() {
  const world = createWorld({ seed: 7, shoppers: SHOPPERS, days: 30, endMs: FIXED_END_MS });
  const channels = new Map<ChannelKey, number>();
  const funnel = { viewed: { hits: 0, of: 0 }, added: { hits: 0, of: 0 }, checkout: { hits: 0, of: 0 }, purchased: { hits: 0, of: 0 } };
  // repeat[k-1]: of the k-th orders placed early enough for a repurchase to fit in the window, how many had a (k+1)-th.
  const repeat: Rate[] = [0, 1, 2, 3].map(() => ({ hits: 0, of: 0 }));
  const lastEligible = world.endMs - (CONFIG.repeatDelayDays.max + 1) * DAY_MS;

  for (const journey of generateJourneys(world)) {
    const browser = journey.messages.filter((m) => typeof m.context.sessionId === 'number');
    const firstSessionId = Math.min(...browser.map((m) => m.context.sessionId as number));
    const first = browser.filter((m) => m.context.sessionId === firstSessionId && m.anonymousId === browser[0]?.anonymousId);
    const landing = first[0] as SimMessage;
    const page = landing.context.page as { url: string; referrer: string };
    const query = new URL(page.url).searchParams;
    const channel = classifyChannel({
      utmSource: query.get('utm_source') ?? '', utmMedium: query.get('utm_medium') ?? '',
      fbclid: query.get('fbclid') ?? '', gclid: query.get('gclid') ?? '', ttclid: query.get('ttclid') ?? '', referrer: page.referrer,
    });
    channels.set(channel, (channels.get(channel) ?? 0) + 1);

    const has = (event: string) => first.some((m) => m.event === event);
    funnel.viewed.of += 1;
    if (!has('Product Viewed')) continue;
    funnel.viewed.hits += 1;
    funnel.added.of += 1;
    if (has('Product Added')) {
      funnel.added.hits += 1;
      funnel.checkout.of += 1;
      if (has('Checkout Started')) {
        funnel.checkout.hits += 1;
        funnel.purchased.of += 1;
        if (has('Order Completed')) funnel.purchased.hits += 1;
      }
    }
  }
  for (const journey of generateJourneys(world)) {
    const orders = journey.messages.filter((m) => m.event === 'Order Completed').map((m) => Date.parse(m.timestamp));
    orders.forEach((at, i) => {
      const slot = repeat[Math.min(i, repeat.length - 1)] as Rate;
      if (i >= repeat.length || at > lastEligible) return;
      slot.of += 1;
      if (orders.length > i + 1) slot.hits += 1;
    });
  }
  return { channels, funnel, repeat };
}

describe('a simulated month', () => {
  const { channels, funnel, repeat } = measure();

  it.each(CHANNEL_KEYS)('brings first visits from %s at the configured share', (key) => {
    expectRate(key, { hits: channels.get(key) ?? 0, of: SHOPPERS }, CONFIG.channelShares[key]);
  });

  it('moves first visits through the funnel at the configured rates', () => {
    expectRate('product view', funnel.viewed, CONFIG.funnel.productView);
    expectRate('add to cart', funnel.added, CONFIG.funnel.addToCart);
    expectRate('checkout', funnel.checkout, CONFIG.funnel.checkout);
    expectRate('purchase', funnel.purchased, CONFIG.funnel.purchase);
  });

  it('makes repeat purchases at the configured rate, rising with the order count', () => {
    for (const k of [0, 1, 2]) expectRate(`order ${k + 2} after order ${k + 1}`, repeat[k] as Rate, CONFIG.repeatPurchase[k] as number);
    const rates = repeat.slice(0, 3).map((r) => r.hits / r.of);
    expect(rates[1]).toBeGreaterThan(rates[0] as number);
    expect(rates[2]).toBeGreaterThan(rates[1] as number);
  });
});
