/**
 * Meta's first-party click cookies, in the format the Meta Pixel writes and the Conversions API
 * expects: `_fbc` = `fb.1.<creation ms>.<fbclid>`, `_fbp` = `fb.1.<creation ms>.<random>`.
 * (`1` is Meta's subdomain index for a cookie on the registrable domain.)
 */

/** The `_fbc` to keep: unchanged for the same fbclid (its creation time must stay), new for a new click. */
export function fbcFor(existing: string | undefined, fbclid: string | undefined, now: number): string | undefined {
  if (!fbclid) return existing;
  if (existing && existing.split('.').slice(3).join('.') == fbclid) return existing;
  return 'fb.1.' + now + '.' + fbclid;
}

export function fbpFor(existing: string | undefined, now: number, random: number): string {
  return existing || 'fb.1.' + now + '.' + Math.floor(random * 2147483647);
}
