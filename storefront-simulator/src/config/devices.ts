/**
 * The devices shoppers browse on: a user agent each, and what the tracking API's user-agent parser
 * makes of it (ua-parser-js 1.x). The bulk writer uses these fields instead of parsing the strings;
 * the integration test checks they equal what the real API stores.
 */
export interface Device {
  userAgent: string;
  browser: string;
  browserVersion: string;
  os: string;
  osVersion: string;
  deviceType: 'desktop' | 'mobile' | 'tablet';
  screen: { width: number; height: number };
  weight: number;
}

export const DEVICES: readonly Device[] = [
  {
    userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    browser: 'Mobile Safari', browserVersion: '17.4', os: 'iOS', osVersion: '17.4', deviceType: 'mobile',
    screen: { width: 390, height: 844 }, weight: 0.3,
  },
  {
    userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
    browser: 'Chrome', browserVersion: '124.0.6367.82', os: 'Android', osVersion: '14', deviceType: 'mobile',
    screen: { width: 412, height: 915 }, weight: 0.2,
  },
  {
    userAgent: 'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.6312.118 Mobile Safari/537.36',
    browser: 'Chrome', browserVersion: '123.0.6312.118', os: 'Android', osVersion: '13', deviceType: 'mobile',
    screen: { width: 360, height: 780 }, weight: 0.12,
  },
  {
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    browser: 'Chrome', browserVersion: '124.0.0.0', os: 'Windows', osVersion: '10', deviceType: 'desktop',
    screen: { width: 1920, height: 1080 }, weight: 0.16,
  },
  {
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    browser: 'Safari', browserVersion: '17.4', os: 'Mac OS', osVersion: '10.15.7', deviceType: 'desktop',
    screen: { width: 1440, height: 900 }, weight: 0.1,
  },
  {
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
    browser: 'Firefox', browserVersion: '125.0', os: 'Windows', osVersion: '10', deviceType: 'desktop',
    screen: { width: 1536, height: 864 }, weight: 0.05,
  },
  {
    userAgent: 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    browser: 'Mobile Safari', browserVersion: '17.4', os: 'iOS', osVersion: '17.4', deviceType: 'tablet',
    screen: { width: 820, height: 1180 }, weight: 0.07,
  },
];

export const DEVICE_WEIGHTS: readonly number[] = DEVICES.map((d) => d.weight);
