/**
 * The countries the storefront sells to: currency, locale, time zone, calling code and share of
 * shoppers. Prices are set in USD and converted with `usdRate` (units of the currency per USD).
 */
export interface Market {
  country: string;
  currency: string;
  locale: string;
  timezone: string;
  /** Hours ahead of UTC (standard time; good enough for shopping-hour curves). */
  utcOffsetHours: number;
  callingCode: string;
  usdRate: number;
  /** JPY and similar have no minor unit. */
  decimals: 0 | 2;
  share: number;
  /** First octet of the simulated client IPs (public ranges, for GeoIP-looking data). */
  ipFirstOctets: readonly number[];
}

export const MARKETS: readonly Market[] = [
  { country: 'US', currency: 'USD', locale: 'en-US', timezone: 'America/New_York', utcOffsetHours: -5, callingCode: '1', usdRate: 1, decimals: 2, share: 0.35, ipFirstOctets: [23, 66, 98] },
  { country: 'GB', currency: 'GBP', locale: 'en-GB', timezone: 'Europe/London', utcOffsetHours: 0, callingCode: '44', usdRate: 0.79, decimals: 2, share: 0.12, ipFirstOctets: [81, 86] },
  { country: 'DE', currency: 'EUR', locale: 'de-DE', timezone: 'Europe/Berlin', utcOffsetHours: 1, callingCode: '49', usdRate: 0.92, decimals: 2, share: 0.12, ipFirstOctets: [79, 91] },
  { country: 'FR', currency: 'EUR', locale: 'fr-FR', timezone: 'Europe/Paris', utcOffsetHours: 1, callingCode: '33', usdRate: 0.92, decimals: 2, share: 0.08, ipFirstOctets: [82, 90] },
  { country: 'CA', currency: 'CAD', locale: 'en-CA', timezone: 'America/Toronto', utcOffsetHours: -5, callingCode: '1', usdRate: 1.36, decimals: 2, share: 0.08, ipFirstOctets: [24, 99] },
  { country: 'AU', currency: 'AUD', locale: 'en-AU', timezone: 'Australia/Sydney', utcOffsetHours: 10, callingCode: '61', usdRate: 1.52, decimals: 2, share: 0.07, ipFirstOctets: [1, 101] },
  { country: 'JP', currency: 'JPY', locale: 'ja-JP', timezone: 'Asia/Tokyo', utcOffsetHours: 9, callingCode: '81', usdRate: 151, decimals: 0, share: 0.05, ipFirstOctets: [126, 133] },
  { country: 'BR', currency: 'BRL', locale: 'pt-BR', timezone: 'America/Sao_Paulo', utcOffsetHours: -3, callingCode: '55', usdRate: 5.05, decimals: 2, share: 0.05, ipFirstOctets: [177, 189] },
  { country: 'NL', currency: 'EUR', locale: 'nl-NL', timezone: 'Europe/Amsterdam', utcOffsetHours: 1, callingCode: '31', usdRate: 0.92, decimals: 2, share: 0.05, ipFirstOctets: [77, 145] },
  { country: 'SE', currency: 'SEK', locale: 'sv-SE', timezone: 'Europe/Stockholm', utcOffsetHours: 1, callingCode: '46', usdRate: 10.6, decimals: 2, share: 0.03, ipFirstOctets: [78, 83] },
];

export const MARKET_SHARES: readonly number[] = MARKETS.map((m) => m.share);

/** Shopping activity by local hour (0-23): low at night, peaks at lunch and in the evening. */
export const HOUR_WEIGHTS: readonly number[] = [
  2, 1, 1, 0.5, 0.5, 1, 2, 3, 4, 5, 5, 6, 7, 6, 5, 5, 6, 7, 8, 9, 10, 9, 6, 4,
];

/** A price in USD converted to the market's currency and rounded as shops do (x.99, whole yen). */
export function localPrice(usd: number, market: Market): number {
  const raw = usd * market.usdRate;
  if (market.decimals === 0) return Math.max(100, Math.round(raw / 100) * 100);
  return Math.max(0.99, Math.ceil(raw) - 0.01);
}

/** Money rounded to the currency's minor unit. */
export function roundMoney(amount: number, market: Market): number {
  const f = market.decimals === 0 ? 1 : 100;
  return Math.round(amount * f) / f;
}
