/**
 * Writes the messages of one browser session as the storefront's SDK would: a page call per page
 * (the landing page carries the UTM tags and click id in its URL), track calls for e-commerce events,
 * identify calls; every message with the device's context (user agent, IP, locale, screen, session).
 */
import { STORE_HOST } from '../catalog/build-catalog.js';
import { nextMessageId, type DeviceState, type ShopperState } from '../shoppers/shopper-state.js';
import type { Landing } from './landing-page.js';
import { LIBRARY, SERVER_LIBRARY, type SimMessage } from './sim-message.js';

export class SessionWriter {
  /** The time of the next message (epoch ms). */
  t: number;
  private readonly sessionId: number;
  private page_: { path: string; url: string; referrer: string; title: string; search: string };
  private first = true;

  constructor(
    private readonly shopper: ShopperState,
    readonly device: DeviceState,
    readonly landing: Landing,
    startMs: number,
  ) {
    this.t = Math.floor(startMs);
    this.sessionId = this.t;
    this.page_ = { path: '/', url: `${STORE_HOST}/`, referrer: landing.referrer, title: 'Home', search: '' };
  }

  /** Time passes between two actions (a few seconds to a couple of minutes). */
  advance(meanSeconds = 30): void {
    this.t += Math.round((3 + this.shopper.random.exponential(meanSeconds)) * 1000);
  }

  /** A page view; the first of the session lands with the channel's query string and referrer. */
  page(name: string, path: string, properties: Record<string, unknown> = {}, category?: string): void {
    const search = this.first ? this.landing.query : '';
    const referrer = this.first ? this.landing.referrer : this.page_.url;
    this.page_ = { path, url: `${STORE_HOST}${path}${search}`, referrer, title: `${name} | Sextant Demo Store`, search };
    this.push({
      type: 'page',
      name,
      ...(category ? { category } : {}),
      properties: { path, url: this.page_.url, referrer, title: this.page_.title, search, ...properties },
    });
  }

  track(event: string, properties: Record<string, unknown>): void {
    this.push({ type: 'track', event, properties });
  }

  /** Identifies the shopper on this device: from now on its messages carry the userId. */
  identify(traits: Record<string, unknown>): void {
    this.device.identified = true;
    this.shopper.identified = true;
    this.push({ type: 'identify', traits });
  }

  private push(fields: Pick<SimMessage, 'type'> & Partial<SimMessage>): void {
    const { shopper, device } = this;
    const context: Record<string, unknown> = {
      library: LIBRARY,
      // Shared by the messages of one page: never mutated (page() makes a new one).
      page: this.page_,
      userAgent: device.device.userAgent,
      ip: device.ip,
      locale: shopper.market.locale,
      timezone: shopper.market.timezone,
      screen: device.device.screen,
      sessionId: this.sessionId,
    };
    if (this.first) context.sessionStart = true;
    this.first = false;
    shopper.messages.push({
      ...fields,
      messageId: nextMessageId(shopper),
      anonymousId: device.anonymousId,
      ...(device.identified ? { userId: shopper.userId } : {}),
      timestamp: new Date(this.t).toISOString(),
      context,
    } as SimMessage);
    // The next call comes a moment later (a page view, then the track call it triggered).
    this.t += this.shopper.random.int(40, 400);
  }
}

/** An event the storefront's backend sends later (refunds, reviews from the reviews app): no browser context. */
export function pushServerEvent(shopper: ShopperState, atMs: number, event: string, properties: Record<string, unknown>): void {
  shopper.messages.push({
    type: 'track',
    messageId: nextMessageId(shopper),
    userId: shopper.userId,
    timestamp: new Date(Math.floor(atMs)).toISOString(),
    event,
    properties,
    context: { library: SERVER_LIBRARY },
  });
}
