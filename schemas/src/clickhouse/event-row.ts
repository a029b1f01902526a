/**
 * One row of the ClickHouse `events` table (migrations/0001-create-events.ts), as the loader
 * inserts it with `format: 'JSONEachRow'`. Keys are the column names, in table order.
 */
import type { FromSchema } from 'json-schema-to-ts';

/** DateTime64(3, 'UTC') as ClickHouse reads and prints it: `2024-05-01 12:30:00.250`. */
const dateTime64Schema = {
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}$',
} as const;
const nullableDateTime64Schema = { ...dateTime64Schema, type: ['string', 'null'] } as const;
const stringSchema = { type: 'string' } as const;
/** `properties`, `traits`, `context`: the original JSON object as text (no key rewriting). */
const jsonTextSchema = { type: 'string' } as const;

export const eventRowSchema = {
  title: 'Events table row',
  type: 'object',
  properties: {
    source_id: stringSchema,
    message_id: stringSchema,
    type: stringSchema,
    event: stringSchema,
    name: stringSchema,
    anonymous_id: stringSchema,
    user_id: stringSchema,
    group_id: stringSchema,
    previous_id: stringSchema,
    timestamp: dateTime64Schema,
    original_timestamp: nullableDateTime64Schema,
    sent_at: nullableDateTime64Schema,
    received_at: dateTime64Schema,
    ip: stringSchema,
    user_agent: stringSchema,
    browser: stringSchema,
    browser_version: stringSchema,
    os: stringSchema,
    os_version: stringSchema,
    device_type: stringSchema,
    is_bot: { type: 'boolean' },
    page_url: stringSchema,
    page_path: stringSchema,
    page_referrer: stringSchema,
    utm_source: stringSchema,
    utm_medium: stringSchema,
    utm_campaign: stringSchema,
    utm_term: stringSchema,
    utm_content: stringSchema,
    fbclid: stringSchema,
    gclid: stringSchema,
    ttclid: stringSchema,
    msclkid: stringSchema,
    order_id: stringSchema,
    revenue: { type: ['number', 'null'] },
    currency: stringSchema,
    product_ids: { type: 'array', items: stringSchema },
    properties: jsonTextSchema,
    traits: jsonTextSchema,
    context: jsonTextSchema,
  },
  // Every column, in table order; EVENT_ROW_COLUMNS is this list.
  required: [
    'source_id', 'message_id', 'type', 'event', 'name',
    'anonymous_id', 'user_id', 'group_id', 'previous_id',
    'timestamp', 'original_timestamp', 'sent_at', 'received_at',
    'ip', 'user_agent', 'browser', 'browser_version', 'os', 'os_version', 'device_type', 'is_bot',
    'page_url', 'page_path', 'page_referrer',
    'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content',
    'fbclid', 'gclid', 'ttclid', 'msclkid',
    'order_id', 'revenue', 'currency', 'product_ids',
    'properties', 'traits', 'context',
  ],
  additionalProperties: false,
} as const;

export type EventRow = FromSchema<typeof eventRowSchema>;

export type EventRowColumn = keyof EventRow;

/** The column names of `events`, in table order (for `INSERT ... (columns)` and SELECT lists). */
export const EVENT_ROW_COLUMNS: readonly EventRowColumn[] = eventRowSchema.required;

/** DateTime64(3) accepts 1900-01-01 .. 2299-12-31; outside it ClickHouse would silently clamp. */
const MIN_MS = Date.UTC(1900, 0, 1);
const MAX_MS = Date.UTC(2300, 0, 1) - 1;

/**
 * Formats epoch milliseconds as a DateTime64(3, 'UTC') literal: `YYYY-MM-DD hh:mm:ss.sss`.
 * Throws a RangeError for a non-finite value or one outside DateTime64's range.
 */
export function formatClickHouseDateTime64(ms: number): string {
  if (!Number.isFinite(ms) || ms < MIN_MS || ms > MAX_MS) {
    throw new RangeError(`formatClickHouseDateTime64: ${ms} is not a time between 1900 and 2299`);
  }
  // Events of one request mostly fall in the same second: reuse that second's text, add the millis.
  const whole = Math.floor(ms);
  const second = Math.floor(whole / 1000);
  if (second !== lastSecond) {
    // toISOString gives `YYYY-MM-DDTHH:mm:ss.sssZ` for every year in range.
    const iso = new Date(second * 1000).toISOString();
    lastSecond = second;
    lastSecondText = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.`;
  }
  const millis = whole - second * 1000;
  return lastSecondText + (millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : String(millis));
}

let lastSecond = Number.NaN;
let lastSecondText = '';

/**
 * The row's values in `EVENT_ROW_COLUMNS` order: one line of JSONCompactEachRow, which ClickHouse
 * parses about twice as fast as JSONEachRow (no key matching per field).
 */
export function eventRowValues(r: EventRow): unknown[] {
  // Written out rather than mapped over EVENT_ROW_COLUMNS: named reads are much cheaper than keyed
  // ones on the ingest hot path. event-row.test.ts checks that the order is EVENT_ROW_COLUMNS'.
  return [
    r.source_id, r.message_id, r.type, r.event, r.name,
    r.anonymous_id, r.user_id, r.group_id, r.previous_id,
    r.timestamp, r.original_timestamp, r.sent_at, r.received_at,
    r.ip, r.user_agent, r.browser, r.browser_version, r.os, r.os_version, r.device_type, r.is_bot,
    r.page_url, r.page_path, r.page_referrer,
    r.utm_source, r.utm_medium, r.utm_campaign, r.utm_term, r.utm_content,
    r.fbclid, r.gclid, r.ttclid, r.msclkid,
    r.order_id, r.revenue, r.currency, r.product_ids,
    r.properties, r.traits, r.context,
  ];
}
