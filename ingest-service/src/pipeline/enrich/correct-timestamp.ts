export interface TimestampInput {
  /** Event time as the client sent it (Segment's clients). */
  timestamp?: string;
  /** Event time as RudderStack's clients send it; used when `timestamp` is absent. */
  originalTimestamp?: string;
  /** Client clock when the batch left the device. */
  sentAt?: string;
  /** Server clock when the request arrived. */
  receivedAtMs: number;
}

export interface CorrectedTimestamps {
  /** Event time on the server's clock: what reports and segments use. */
  timestampMs: number;
  /** Event time as the client reported it, before correction; null when it sent none. */
  originalTimestampMs: number | null;
  sentAtMs: number | null;
}

const ONE_DAY_MS = 86_400_000;

/**
 * Event time corrected for the device's clock skew, following Segment:
 * `timestamp = receivedAt - (sentAt - originalTimestamp)`. `sentAt - originalTimestamp` is how long
 * the event waited on the device (both read from the same, possibly wrong, clock), so the result is
 * on the server's clock. It also keeps historical imports intact: a server library sending a 2020
 * `timestamp` with an accurate `sentAt` gets 2020 back. Without `sentAt` the client time is taken as
 * is; without any client time the event happened when it was received.
 * Unparseable strings count as absent.
 */
export function correctTimestamp(input: TimestampInput): CorrectedTimestamps {
  const { receivedAtMs } = input;
  const originalTimestampMs = parseIsoTimestamp(input.timestamp) ?? parseIsoTimestamp(input.originalTimestamp);
  const sentAtMs = parseIsoTimestamp(input.sentAt);

  let timestampMs: number;
  if (originalTimestampMs === null) timestampMs = receivedAtMs;
  else if (sentAtMs === null) timestampMs = originalTimestampMs;
  else timestampMs = receivedAtMs - (sentAtMs - originalTimestampMs);

  // An event cannot have happened after it reached us. A little lead is tolerated (a client that sent
  // a local time labelled as UTC is off by at most 14 hours), but beyond a day the time is wrong
  // (a device clock set years ahead with no sentAt, a bogus explicit timestamp). Kept as is, such an
  // event would land in a future month's partition, sort after everything the shopper does next
  // (breaking funnels and "last seen"), and stay invisible to "last N days" reports until that
  // date. receivedAt is the best time we know. Past times are kept: historical imports are legitimate.
  if (timestampMs - receivedAtMs > ONE_DAY_MS) timestampMs = receivedAtMs;

  return { timestampMs, originalTimestampMs, sentAtMs };
}

/**
 * ISO-8601 date-time (`2024-01-15T12:00:00.123Z`, `+05:30`/`+0530`/`+05` offsets, a space instead of
 * `T`, any number of fraction digits, or a bare date) as epoch ms; null for anything else. Strict on
 * purpose: `Date.parse` accepts `"1"` (as the year 2001), rolls `2024-02-30` over to March, and reads a
 * time without an offset in the server's local zone. Here a missing offset means UTC.
 */
export function parseIsoTimestamp(value: string | undefined): number | null {
  if (typeof value !== 'string') return null;
  const match = ISO_8601.exec(value.trim());
  if (match === null) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));

  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    // `+05`, `+0530` or `+05:30`
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMins = zone.length > 3 ? Number(zone.slice(-2)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }

  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  if (year < 100) date.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  return date.getTime() - offsetMinutes * 60_000;
}

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}
