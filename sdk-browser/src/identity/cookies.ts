/** First-party cookies, written so that reading or writing never throws (sandboxed frames do). */

export function readCookie(name: string): string | undefined {
  try {
    for (const part of document.cookie.split('; ')) {
      const i = part.indexOf('=');
      if (part.slice(0, i) == name) return decodeURIComponent(part.slice(i + 1));
    }
  } catch {
    // no cookies here
  }
  return undefined;
}

/** `days` 0 deletes. SameSite=Lax (sent on the shopper's own navigations), Secure on https. */
export function writeCookie(name: string, value: string, days: number, domain?: string): void {
  try {
    document.cookie =
      name +
      '=' +
      encodeURIComponent(value) +
      '; path=/; max-age=' +
      Math.round(days * 86400) +
      (domain ? '; domain=' + domain : '') +
      '; SameSite=Lax' +
      (location.protocol == 'https:' ? '; Secure' : '');
  } catch {
    // cookies refused
  }
}

/**
 * The top-most domain that accepts a cookie, e.g. `shop.example.co.uk` → `example.co.uk`: tried from
 * the shortest suffix up, so public suffixes (`co.uk`), which browsers refuse, are skipped without a
 * list. Undefined for IP addresses and single-label hosts (`localhost`): cookies stay host-only.
 */
export function topCookieDomain(hostname: string): string | undefined {
  const parts = hostname.split('.');
  if (parts.length < 2 || /^[\d.]+$|:/.test(hostname)) return undefined;
  for (let i = parts.length - 2; i >= 0; i--) {
    const domain = parts.slice(i).join('.');
    writeCookie('sx_t', '1', 1, domain);
    if (readCookie('sx_t')) {
      writeCookie('sx_t', '', 0, domain);
      return domain;
    }
  }
  return undefined;
}
