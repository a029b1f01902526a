import { describe, expect, it } from 'vitest';
import { parseUserAgent, type ParsedUserAgent } from './parse-user-agent.js';
import { UA } from './user-agent-fixtures.js';

describe('parseUserAgent', () => {
  it.each<{ name: string; ua: string | undefined; expected: ParsedUserAgent }>([
    {
      name: 'Chrome on Windows is a desktop',
      ua: UA.chromeWindows,
      expected: { browser: 'Chrome', browserVersion: '124.0.0.0', os: 'Windows', osVersion: '10', deviceType: 'desktop' },
    },
    {
      name: 'Edge on Windows is Edge, not Chrome',
      ua: UA.edgeWindows,
      expected: { browser: 'Edge', browserVersion: '124.0.2478.67', os: 'Windows', osVersion: '10', deviceType: 'desktop' },
    },
    {
      name: 'Chrome on a Mac is a desktop',
      ua: UA.chromeMac,
      expected: { browser: 'Chrome', browserVersion: '124.0.0.0', os: 'Mac OS', osVersion: '10.15.7', deviceType: 'desktop' },
    },
    {
      name: 'Safari on an iPhone is mobile',
      ua: UA.safariIphone,
      expected: { browser: 'Mobile Safari', browserVersion: '17.4.1', os: 'iOS', osVersion: '17.4.1', deviceType: 'mobile' },
    },
    {
      name: 'Safari on an iPad is a tablet',
      ua: UA.safariIpad,
      expected: { browser: 'Mobile Safari', browserVersion: '16.6', os: 'iOS', osVersion: '16.6', deviceType: 'tablet' },
    },
    {
      name: 'Chrome on an Android phone is mobile',
      ua: UA.chromeAndroidPhone,
      expected: { browser: 'Chrome', browserVersion: '124.0.6367.82', os: 'Android', osVersion: '14', deviceType: 'mobile' },
    },
    {
      name: 'Samsung Internet on a Galaxy Tab is a tablet',
      ua: UA.samsungTablet,
      expected: { browser: 'Samsung Internet', browserVersion: '24.0', os: 'Android', osVersion: '13', deviceType: 'tablet' },
    },
    {
      name: 'the Instagram in-app browser is mobile',
      ua: UA.instagramAndroid,
      expected: { browser: 'Instagram', browserVersion: '329.0.0.41.93', os: 'Android', osVersion: '14', deviceType: 'mobile' },
    },
    {
      name: 'Firefox on Linux is a desktop without an OS version',
      ua: UA.firefoxLinux,
      expected: { browser: 'Firefox', browserVersion: '125.0', os: 'Linux', osVersion: '', deviceType: 'desktop' },
    },
    {
      name: 'Firefox on Ubuntu is a desktop',
      ua: UA.firefoxUbuntu,
      expected: { browser: 'Firefox', browserVersion: '115.0', os: 'Ubuntu', osVersion: '', deviceType: 'desktop' },
    },
    {
      name: 'Chrome on a Chromebook is a desktop',
      ua: UA.chromeOs,
      expected: { browser: 'Chrome', browserVersion: '124.0.0.0', os: 'Chromium OS', osVersion: '14541.0.0', deviceType: 'desktop' },
    },
    {
      name: 'a Samsung smart TV is a tv, although it runs Linux',
      ua: UA.samsungSmartTv,
      expected: { browser: 'Samsung Internet', browserVersion: '4.0', os: 'Tizen', osVersion: '6.0', deviceType: 'tv' },
    },
    {
      name: 'a PlayStation 5 is a console',
      ua: UA.playStation5,
      expected: { browser: 'Safari', browserVersion: '13.0', os: 'PlayStation', osVersion: '5', deviceType: 'console' },
    },
    {
      name: 'a Galaxy Watch is a wearable',
      ua: UA.galaxyWatch,
      expected: { browser: 'Chrome', browserVersion: '100', os: 'Android', osVersion: '11', deviceType: 'wearable' },
    },
    {
      name: 'Googlebot is a bot with no browser',
      ua: UA.googlebot,
      expected: { browser: '', browserVersion: '', os: '', osVersion: '', deviceType: 'bot' },
    },
    {
      name: 'Googlebot smartphone keeps its browser and OS but is a bot, not mobile',
      ua: UA.googlebotSmartphone,
      expected: { browser: 'Chrome', browserVersion: '124.0.6367.118', os: 'Android', osVersion: '6.0.1', deviceType: 'bot' },
    },
    {
      name: 'headless Chrome is a bot, not a Linux desktop',
      ua: UA.headlessChrome,
      expected: { browser: 'Chrome Headless', browserVersion: '124.0.6367.60', os: 'Linux', osVersion: '', deviceType: 'bot' },
    },
    {
      name: 'curl is neither a browser nor a bot',
      ua: UA.curl,
      expected: { browser: '', browserVersion: '', os: '', osVersion: '', deviceType: 'unknown' },
    },
    {
      name: 'a server-side tracking library is unknown, not a bot',
      ua: UA.analyticsNodeNext,
      expected: { browser: '', browserVersion: '', os: '', osVersion: '', deviceType: 'unknown' },
    },
    {
      name: 'an empty user agent is unknown',
      ua: '',
      expected: { browser: '', browserVersion: '', os: '', osVersion: '', deviceType: 'unknown' },
    },
    {
      name: 'a missing user agent is unknown',
      ua: undefined,
      expected: { browser: '', browserVersion: '', os: '', osVersion: '', deviceType: 'unknown' },
    },
  ])('$name', ({ ua, expected }) => {
    expect(parseUserAgent(ua)).toEqual(expected);
    // Second call is served from the cache and must agree.
    expect(parseUserAgent(ua)).toEqual(expected);
  });

  it('returns a copy, so mutating a result does not change later results', () => {
    const first = parseUserAgent(UA.chromeWindows);
    first.browser = 'tampered';
    first.deviceType = 'bot';
    expect(parseUserAgent(UA.chromeWindows)).toMatchObject({ browser: 'Chrome', deviceType: 'desktop' });
  });

  it('parses a user agent longer than the cache key limit', () => {
    expect(parseUserAgent(`${UA.safariIphone} ${'x'.repeat(2_000)}`)).toMatchObject({
      browser: 'Mobile Safari',
      deviceType: 'mobile',
    });
  });
});
