// @vitest-environment happy-dom
// @vitest-environment-options {"url": "https://shop.brand.co.uk/products"}
import { afterEach, describe, expect, it } from 'vitest';
import { installCookieJar, removeCookieJar } from '../../test/fixtures/fake-cookie-jar.js';
import { readCookie, topCookieDomain, writeCookie } from './cookies.js';

afterEach(() => removeCookieJar());

describe('first-party cookies', () => {
  it('writes a value that reads back, with path, max-age, SameSite=Lax and Secure on https', () => {
    const jar = installCookieJar();
    writeCookie('sx_aid', 'a b;c', 365);
    expect(readCookie('sx_aid')).toBe('a b;c');
    expect(jar.writes[0]).toBe('sx_aid=a%20b%3Bc; path=/; max-age=31536000; SameSite=Lax; Secure');
  });

  it('deletes with 0 days, and reads undefined for a missing cookie', () => {
    installCookieJar();
    writeCookie('sx_uid', 'u1', 1);
    writeCookie('sx_uid', '', 0);
    expect(readCookie('sx_uid')).toBeUndefined();
  });

  it('does not confuse cookies whose names share a prefix', () => {
    installCookieJar();
    writeCookie('sx_aid2', 'other', 1);
    writeCookie('sx_aid', 'mine', 1);
    expect(readCookie('sx_aid')).toBe('mine');
  });

  it('never throws when the page may not use cookies (sandboxed frame)', () => {
    Object.defineProperty(document, 'cookie', {
      configurable: true,
      get: () => {
        throw new DOMException('sandboxed', 'SecurityError');
      },
      set: () => {
        throw new DOMException('sandboxed', 'SecurityError');
      },
    });
    expect(() => writeCookie('sx_aid', 'x', 1)).not.toThrow();
    expect(readCookie('sx_aid')).toBeUndefined();
  });
});

describe('topCookieDomain (cross-subdomain ids)', () => {
  it.each([
    { host: 'shop.brand.co.uk', expected: 'brand.co.uk' },
    { host: 'www.brand.com', expected: 'brand.com' },
    { host: 'a.b.brand.io', expected: 'brand.io' },
    { host: 'localhost', expected: undefined },
    { host: '127.0.0.1', expected: undefined },
  ])('$host → $expected (public suffixes refused by the browser are skipped)', ({ host, expected }) => {
    const jar = installCookieJar(host);
    expect(topCookieDomain(host)).toBe(expected);
    expect(jar.cookies).toEqual([]); // the probe cookie is removed
  });
});
