import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * A phone number in E.164 (`+4915123456789`), or undefined when it is not a valid number. Numbers
 * written without a country prefix are read in `country` (an ISO 3166 code from the traits) or the
 * configured default region.
 */
export function normalizePhone(raw: string, country?: string, defaultRegion = 'US'): string | undefined {
  const region = (country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : defaultRegion) as CountryCode;
  try {
    const parsed = parsePhoneNumberFromString(raw.trim(), region);
    return parsed && parsed.isValid() ? parsed.number : undefined;
  } catch {
    return undefined;
  }
}
