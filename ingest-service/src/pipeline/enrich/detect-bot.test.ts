import { describe, expect, it } from 'vitest';
import { detectBot } from './detect-bot.js';
import { UA } from './user-agent-fixtures.js';

describe('detectBot', () => {
  it.each<{ name: string; ua: string | undefined; expected: boolean }>([
    { name: 'Chrome on Windows is a person', ua: UA.chromeWindows, expected: false },
    { name: 'Safari on iPhone is a person', ua: UA.safariIphone, expected: false },
    { name: 'Safari on iPad is a person', ua: UA.safariIpad, expected: false },
    { name: 'Chrome on an Android phone is a person', ua: UA.chromeAndroidPhone, expected: false },
    { name: 'Samsung Internet on a Galaxy Tab is a person', ua: UA.samsungTablet, expected: false },
    { name: 'Firefox on Linux is a person', ua: UA.firefoxLinux, expected: false },
    { name: 'the Instagram in-app browser is a person', ua: UA.instagramAndroid, expected: false },
    { name: 'Googlebot is a bot', ua: UA.googlebot, expected: true },
    { name: 'Googlebot smartphone (a real Chrome UA plus a bot token) is a bot', ua: UA.googlebotSmartphone, expected: true },
    { name: 'Bingbot is a bot', ua: UA.bingbot, expected: true },
    { name: 'the Facebook link-preview crawler is a bot', ua: UA.facebookExternalHit, expected: true },
    { name: 'headless Chrome is a bot', ua: UA.headlessChrome, expected: true },
    { name: 'wget is a bot', ua: 'Wget/1.21.4', expected: true },
    { name: 'Segment analytics-node (next) is a server-side source, not a bot', ua: UA.analyticsNodeNext, expected: false },
    { name: 'Segment analytics-node (classic) is not a bot', ua: 'analytics-node/6.2.0', expected: false },
    { name: 'Segment analytics-python is not a bot', ua: 'analytics-python/2.2.2', expected: false },
    { name: 'Segment analytics-go is not a bot', ua: 'analytics-go (version: 3.0.0)', expected: false },
    { name: 'a RudderStack server SDK is not a bot', ua: 'RudderLabs/1.0 (node)', expected: false },
    { name: 'curl (the Tracking API docs example) is not a bot', ua: UA.curl, expected: false },
    { name: "Node's built-in fetch is not a bot", ua: 'node', expected: false },
    { name: 'okhttp from a native Android app is not a bot', ua: 'okhttp/4.12.0', expected: false },
    { name: 'an HTTP library that declares itself a crawler is a bot', ua: 'python-requests/2.31.0 (compatible; MyCrawler/1.0)', expected: true },
    { name: 'an empty user agent is not a bot', ua: '', expected: false },
    { name: 'a blank user agent is not a bot', ua: '   ', expected: false },
    { name: 'a missing user agent is not a bot', ua: undefined, expected: false },
  ])('$name', ({ ua, expected }) => {
    expect(detectBot(ua)).toBe(expected);
    // Second call is served from the cache and must agree.
    expect(detectBot(ua)).toBe(expected);
  });

  it('classifies a user agent longer than the cache key limit', () => {
    expect(detectBot(`${UA.googlebot} ${'x'.repeat(2_000)}`)).toBe(true);
    expect(detectBot(`${UA.chromeWindows} ${'x'.repeat(2_000)}`)).toBe(false);
  });
});
