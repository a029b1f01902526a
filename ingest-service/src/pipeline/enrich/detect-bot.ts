import { isbot } from 'isbot';
import { createLruCache } from './lru-cache.js';

/**
 * Clients that call the Tracking API from a server or a native app. isbot flags any user agent that
 * does not look like a browser, which would mark every server-side event (an `Order Completed` sent
 * by the shop's backend through analytics-node, a plain `fetch`, or the curl example from the
 * Tracking API docs) as bot traffic. Crawlers reach us through a browser that runs the storefront's
 * snippet (Googlebot renders JavaScript, headless Chrome), and those still match isbot. Like
 * RudderStack's bot management, which only applies to web sources, we do not second-guess them.
 *
 * Matched as the first product token only, e.g. `analytics-node-next/latest`, `RudderLabs/1.0 (node)`,
 * `analytics-go (version: 3.0.0)`, `curl/8.5.0`, `node`, `okhttp/4.12.0`.
 */
const SERVER_SIDE_CLIENT =
  /^(?:analytics-[\w.-]+|rudder[\w.-]*|posthog-[\w.-]+|sextant-[\w.-]+|curl|node|undici|node-fetch|axios|got|python-requests|python-httpx|python-urllib\d*|aiohttp|okhttp|go-http-client|java|apache-httpclient|faraday|ruby|guzzlehttp)(?=[/\s(]|$)/i;

/** A server-side client that says it crawls is still a crawler. */
const SELF_DECLARED_CRAWLER = /bot|crawl|spider|scrap/i;

/** Longer user agents are classified but not cached, so a hostile client cannot bloat the cache. */
const MAX_CACHED_UA_LENGTH = 1_000;
const cache = createLruCache<string, boolean>(1_000);

/** Whether the user agent belongs to a crawler, a headless browser or another automated agent. */
export function detectBot(ua: string | undefined): boolean {
  if (ua === undefined || ua.trim() === '') return false;
  if (ua.length > MAX_CACHED_UA_LENGTH) return classify(ua);
  const cached = cache.get(ua);
  if (cached !== undefined) return cached;
  const result = classify(ua);
  cache.set(ua, result);
  return result;
}

function classify(ua: string): boolean {
  const trimmed = ua.trim();
  if (SERVER_SIDE_CLIENT.test(trimmed) && !SELF_DECLARED_CRAWLER.test(trimmed)) return false;
  return isbot(trimmed);
}
