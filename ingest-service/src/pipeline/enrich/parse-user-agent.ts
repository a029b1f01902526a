import UAParser from 'ua-parser-js';
import { detectBot } from './detect-bot.js';
import { createLruCache } from './lru-cache.js';

export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'tv' | 'console' | 'wearable' | 'bot' | 'unknown';

export interface ParsedUserAgent {
  browser: string;
  browserVersion: string;
  os: string;
  osVersion: string;
  deviceType: DeviceType;
}

/** ua-parser-js 1.x device types; `embedded` (cars, e-readers) and `xr` have no column value of their own. */
const DEVICE_TYPES: Readonly<Record<string, DeviceType>> = {
  mobile: 'mobile',
  tablet: 'tablet',
  smarttv: 'tv',
  console: 'console',
  wearable: 'wearable',
};

/**
 * ua-parser-js leaves the device type undefined for desktops; these OS names (lower-cased, as
 * ua-parser-js 1.x reports them) mean a desktop or laptop when no device type was found.
 */
const DESKTOP_OS = new Set([
  'windows', 'mac os', 'macos', 'chromium os', 'chrome os', 'linux', 'ubuntu', 'kubuntu', 'xubuntu',
  'lubuntu', 'debian', 'fedora', 'mint', 'arch', 'gentoo', 'slackware', 'suse', 'opensuse', 'red hat',
  'redhat', 'centos', 'mandriva', 'mageia', 'manjaro', 'deepin', 'elementary os', 'pclinuxos',
  'zenwalk', 'linpus', 'sabayon', 'linspire', 'vectorlinux', 'freebsd', 'openbsd', 'netbsd',
  'dragonfly', 'pc-bsd', 'ghostbsd', 'solaris', 'opensolaris', 'unix', 'haiku', 'gnu', 'hurd',
]);

const EMPTY: ParsedUserAgent = { browser: '', browserVersion: '', os: '', osVersion: '', deviceType: 'unknown' };

/** Longer user agents are parsed but not cached, so a hostile client cannot bloat the cache. */
const MAX_CACHED_UA_LENGTH = 1_000;
const cache = createLruCache<string, ParsedUserAgent>(1_000);

/** Browser, OS and device class of a user agent; every field is '' (and the type `unknown`) when not known. */
export function parseUserAgent(ua: string | undefined): ParsedUserAgent {
  if (ua === undefined || ua.trim() === '') return { ...EMPTY };
  if (ua.length > MAX_CACHED_UA_LENGTH) return parse(ua);
  let parsed = cache.get(ua);
  if (parsed === undefined) {
    parsed = parse(ua);
    cache.set(ua, parsed);
  }
  // A copy, so a caller that mutates its result cannot corrupt the cache.
  return { ...parsed };
}

function parse(ua: string): ParsedUserAgent {
  // Only the parts we use: getResult() would also run the engine and CPU regex lists.
  const parser = new UAParser(ua);
  const browser = parser.getBrowser();
  const os = parser.getOS();
  return {
    browser: browser.name ?? '',
    browserVersion: browser.version ?? '',
    os: os.name ?? '',
    osVersion: os.version ?? '',
    deviceType: detectBot(ua) ? 'bot' : deviceTypeOf(parser.getDevice().type, os.name),
  };
}

function deviceTypeOf(parserType: string | undefined, osName: string | undefined): DeviceType {
  if (parserType !== undefined) return DEVICE_TYPES[parserType] ?? 'unknown';
  if (osName !== undefined && DESKTOP_OS.has(osName.toLowerCase())) return 'desktop';
  return 'unknown';
}
