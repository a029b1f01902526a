import { isIP } from 'node:net';

export interface ClientIpInput {
  /** `context.ip` from the event: server-side libraries set it to the shopper's address. */
  contextIp?: unknown;
  /** The request's address, already resolved through trusted proxies by Fastify. */
  requestIp: string;
  /** Workspace setting: store only a truncated address. */
  anonymize: boolean;
}

/**
 * The shopper's IP address: `context.ip` when it is a valid IP, else the request's address; '' when
 * neither is. IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) become plain IPv4 and IPv6 addresses are
 * written in their canonical form (RFC 5952), so one address is always stored the same way.
 */
export function resolveClientIp(input: ClientIpInput): string {
  const ip = normalizeIp(input.contextIp) || normalizeIp(input.requestIp);
  return input.anonymize ? anonymizeIp(ip) : ip;
}

/**
 * The address with its host part zeroed, as Google Analytics anonymizes: the last octet of IPv4
 * (`1.2.3.4` → `1.2.3.0`), all but the first 48 bits of IPv6 (`2001:db8:abcd:12::1` → `2001:db8:abcd::`).
 * '' for anything that is not an IP address.
 */
export function anonymizeIp(ip: string): string {
  const normalized = normalizeIp(ip);
  const version = isIP(normalized);
  if (version === 4) return normalized.slice(0, normalized.lastIndexOf('.')) + '.0';
  if (version === 6) {
    const [a = 0, b = 0, c = 0] = parseIpv6(normalized);
    return formatIpv6([a, b, c, 0, 0, 0, 0, 0]);
  }
  return '';
}

/** A valid IP in canonical form (mapped IPv4 unwrapped, IPv6 compressed, zone id dropped), or ''. */
function normalizeIp(value: unknown): string {
  if (typeof value !== 'string') return '';
  const trimmed = value.trim();
  const version = isIP(trimmed);
  if (version === 4) return trimmed;
  if (version !== 6) return '';
  const hextets = parseIpv6(trimmed);
  const isMappedIpv4 = hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff;
  if (isMappedIpv4) {
    const high = hextets[6] ?? 0;
    const low = hextets[7] ?? 0;
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return formatIpv6(hextets);
}

/** The eight 16-bit groups of an address that `isIP` accepted as IPv6. */
function parseIpv6(ip: string): number[] {
  const withoutZone = ip.split('%', 1)[0] ?? '';
  const [head = '', tail] = withoutZone.split('::', 2);
  const headGroups = parseGroups(head);
  const tailGroups = tail === undefined ? [] : parseGroups(tail);
  const zeros = new Array<number>(8 - headGroups.length - tailGroups.length).fill(0);
  return [...headGroups, ...zeros, ...tailGroups];
}

function parseGroups(part: string): number[] {
  if (part === '') return [];
  return part.split(':').flatMap((group) => {
    if (!group.includes('.')) return [parseInt(group, 16)];
    // An embedded IPv4 address (`64:ff9b::1.2.3.4`) fills the last two groups.
    const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
    return [(a << 8) | b, (c << 8) | d];
  });
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run (2+) of zero groups as `::`. */
function formatIpv6(hextets: number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < hextets.length; ) {
    if (hextets[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < hextets.length && hextets[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = hextets.map((h) => h.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
