import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { US_STATE_CODES } from './us-states.js';

/**
 * Meta's normalisation rules (meta.md §1.4), one function per key. Each returns the normalised
 * string, or `undefined` when the input cannot be a valid value of that key (the caller skips that
 * cell and counts it; one bad identifier never fails a row or a batch).
 */
export type IdentifierKey =
  | 'EMAIL' | 'PHONE' | 'GEN' | 'DOBY' | 'DOBM' | 'DOBD' | 'FN' | 'LN' | 'FI' | 'CT' | 'ST' | 'ZIP' | 'COUNTRY'
  | 'MADID' | 'EXTERN_ID';

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(raw: string): string | undefined {
  const v = raw.trim().toLowerCase();
  return EMAIL_SHAPE.test(v) ? v : undefined;
}

/**
 * Digits with the country code and no `+` (`+1 (650) 555-1234` → `16505551234`). Parsed as E.164 by
 * libphonenumber-js; a number written without `+` is read in the member's country (or `defaultRegion`).
 * A number libphonenumber finds impossible (wrong length for its country) is rejected.
 */
export function normalizePhone(raw: string, country?: string, defaultRegion = 'US'): string | undefined {
  const trimmed = raw.trim();
  if (!/\d/.test(trimmed)) return undefined;
  // "00" international prefix → "+"
  const text = trimmed.replace(/^00(?=[1-9])/, '+');
  const region = (country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : defaultRegion.toUpperCase()) as CountryCode;
  try {
    const parsed = parsePhoneNumberFromString(text, text.startsWith('+') ? undefined : region);
    if (!parsed || !parsed.isPossible()) return undefined;
    return parsed.number.slice(1);
  } catch {
    return undefined;
  }
}

/** Lowercase letters only (any script, NFC), no punctuation, digits or whitespace. */
function lettersOnly(raw: string): string {
  return raw.normalize('NFC').toLowerCase().replace(/[^\p{L}]/gu, '');
}

export function normalizeName(raw: string): string | undefined {
  const v = lettersOnly(raw);
  return v.length > 0 ? v : undefined;
}

export function normalizeFirstInitial(raw: string): string | undefined {
  const v = lettersOnly(raw);
  return v.length > 0 ? [...v][0] : undefined;
}

export function normalizeCity(raw: string): string | undefined {
  return normalizeName(raw);
}

/** US state names map to their 2-letter code; elsewhere lowercase letters only. */
export function normalizeState(raw: string): string | undefined {
  const letters = lettersOnly(raw);
  if (letters.length === 0) return undefined;
  return US_STATE_CODES.get(letters) ?? letters;
}

/** Lowercase, no whitespace; US ZIP+4 keeps the first 5 digits. */
export function normalizeZip(raw: string, country?: string): string | undefined {
  const v = raw.toLowerCase().replace(/\s+/g, '');
  if (v.length === 0) return undefined;
  const us = country === undefined || country.toLowerCase() === 'us';
  if (us && /^\d{5}(-?\d{4})?$/.test(v)) return v.slice(0, 5);
  return /^[a-z0-9-]+$/.test(v) ? v.split('-')[0] || undefined : undefined;
}

const COUNTRY_NAMES = new Map([
  ['unitedstates', 'us'], ['usa', 'us'], ['unitedkingdom', 'gb'], ['uk', 'gb'], ['germany', 'de'],
  ['france', 'fr'], ['spain', 'es'], ['italy', 'it'], ['netherlands', 'nl'], ['canada', 'ca'],
]);

export function normalizeCountry(raw: string): string | undefined {
  const letters = lettersOnly(raw);
  if (/^[a-z]{2}$/.test(letters)) return letters;
  return COUNTRY_NAMES.get(letters);
}

export function normalizeGender(raw: string): string | undefined {
  const v = lettersOnly(raw);
  if (v === 'm' || v === 'male' || v === 'man') return 'm';
  if (v === 'f' || v === 'female' || v === 'woman') return 'f';
  return undefined;
}

export function normalizeBirthYear(raw: string, now = new Date()): string | undefined {
  const v = raw.trim();
  if (!/^\d{4}$/.test(v)) return undefined;
  const y = Number(v);
  return y >= 1900 && y <= now.getUTCFullYear() ? v : undefined;
}

function normalizeBounded(raw: string, max: number): string | undefined {
  const v = raw.trim();
  if (!/^\d{1,2}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= max ? String(n).padStart(2, '0') : undefined;
}

export const normalizeBirthMonth = (raw: string): string | undefined => normalizeBounded(raw, 12);
export const normalizeBirthDay = (raw: string): string | undefined => normalizeBounded(raw, 31);

/** Mobile advertiser id: lowercase, hyphens kept; never hashed. */
export function normalizeMadid(raw: string): string | undefined {
  const v = raw.trim().toLowerCase();
  return /^[0-9a-f-]{8,64}$/.test(v) ? v : undefined;
}

/** Advertiser id, sent as-is (Meta's SDK leaves it unhashed). */
export function normalizeExternId(raw: string): string | undefined {
  const v = raw.trim();
  return v.length > 0 ? v : undefined;
}
