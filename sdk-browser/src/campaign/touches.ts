import type { Campaign } from './parse-campaign.js';

/** One arrival on the site: its campaign and click ids, the outside referrer and the landing page. */
export interface Touch extends Partial<Record<string, string>> {
  landingPage: string;
  timestamp: string;
}

export interface Touches {
  /** The shopper's first arrival on this browser, whatever brought them (kept for good). */
  first?: Touch;
  /** The latest arrival that carried campaign parameters or a click id. */
  last?: Touch;
}

export interface Landing {
  campaign: Campaign;
  url: string;
  referrer: string;
  /** Hostname of this site: referrers on it (or its subdomains) are internal navigation. */
  siteDomain: string;
  time: number;
}

/**
 * First and last touch after a page load. A landing with campaign parameters or a click id becomes
 * the last touch; the first touch is set once. A referrer alone (organic search, a payment page the
 * shopper returns from) never replaces a campaign, so a PayPal redirect cannot steal the credit of
 * the Facebook ad that brought the order.
 */
export function updateTouches(prev: Touches, landing: Landing): Touches {
  const tagged = Object.keys(landing.campaign).length > 0;
  const ref = externalReferrer(landing.referrer, landing.siteDomain);
  if (!tagged && prev.first) return prev;
  const touch: Touch = { ...landing.campaign, landingPage: landing.url, timestamp: new Date(landing.time).toISOString() };
  if (ref) touch.referrer = ref;
  return { first: prev.first || touch, last: tagged ? touch : prev.last };
}

/** The referrer URL when it is another site; '' for none or for this site and its subdomains. */
export function externalReferrer(referrer: string, siteDomain: string): string {
  let host = '';
  try {
    host = new URL(referrer).hostname;
  } catch {
    return '';
  }
  return host == siteDomain || host.endsWith('.' + siteDomain) ? '' : referrer;
}

/** The campaign fields of a touch, for `context.campaign` (what the server's campaign columns read). */
export function campaignOf(touch: Touch | undefined): Campaign {
  const c: Campaign = {};
  for (const k in touch) if (k != 'landingPage' && k != 'timestamp' && k != 'referrer') c[k] = touch[k]!;
  return c;
}
