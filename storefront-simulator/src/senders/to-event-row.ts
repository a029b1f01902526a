/**
 * A simulated message as the `events` row the tracking API would store for it, for the bulk writer.
 *
 * The API's own enrichment (ingest-service `pipeline/steps/build-event-row.ts`) is not exported from
 * `@sextant/ingest-service`'s public entry, and ingest-service depends on this package (its `demo`
 * command), so importing it would be a cycle. The commerce columns come from the mapping both share
 * (`commerceColumns` in `@sextant/schemas`); the rest is specialised to what the simulator sends:
 * user-agent fields from the device table (`config/devices.ts`) instead of a parser, UTM tags and click
 * ids from the landing URL's query. The integration test checks that the rows equal what the real API
 * stores for the same messages.
 */
import { commerceColumns, EVENT_ROW_COLUMNS, formatClickHouseDateTime64, type EventRow } from '@sextant/schemas';
import { DEVICES, type Device } from '../config/devices.js';
import type { SimMessage } from '../journeys/sim-message.js';

const DEVICE_BY_UA: ReadonlyMap<string, Device> = new Map(DEVICES.map((d) => [d.userAgent, d]));
/** Query parameters of the landing URL, in the order of their columns (utm_source … msclkid). */
const CAMPAIGN_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'fbclid', 'gclid', 'ttclid', 'msclkid'] as const;
const NO_CAMPAIGN: readonly string[] = CAMPAIGN_KEYS.map(() => '');

type Json = Record<string, unknown>;

/**
 * The row for `message`, as if it reached the API at the time it happened (`received_at` =
 * `timestamp`; no `sentAt`, so no clock-skew correction applies).
 */
export function toEventRow(message: SimMessage, sourceId: string): EventRow {
  const v = toEventRowArray(message, sourceId);
  return Object.fromEntries(EVENT_ROW_COLUMNS.map((c, i) => [c, v[i]])) as EventRow;
}

/**
 * One JSONCompactEachRow line (with its newline) in `EVENT_ROW_COLUMNS` order. The hot path of bulk
 * mode: the values go straight into an array in column order (a test checks it equals `toEventRow`).
 */
export function toEventRowLine(message: SimMessage, sourceId: string): string {
  return JSON.stringify(toEventRowArray(message, sourceId)) + '\n';
}

function toEventRowArray(message: SimMessage, sourceId: string): unknown[] {
  const context = message.context;
  const page = (context.page ?? undefined) as Json | undefined;
  const userAgent = typeof context.userAgent === 'string' ? context.userAgent : '';
  const device = DEVICE_BY_UA.get(userAgent);
  const properties = message.properties ?? {};
  const url = typeof page?.url === 'string' ? page.url : '';
  let campaign = NO_CAMPAIGN;
  const q = url.indexOf('?');
  if (q >= 0) {
    const params = new URLSearchParams(url.slice(q + 1));
    campaign = CAMPAIGN_KEYS.map((key) => (params.get(key) ?? '').trim());
  }
  const time = clickHouseTime(message.timestamp);
  const commerce = commerceColumns(properties);
  // Column order of EVENT_ROW_COLUMNS (schemas/src/clickhouse/event-row.ts).
  return [
    sourceId,
    message.messageId,
    message.type,
    message.type === 'track' ? (message.event ?? '') : '',
    message.name ?? '',
    message.anonymousId ?? '',
    message.userId ?? '',
    '', // group_id
    '', // previous_id
    time, // timestamp
    time, // original_timestamp
    null, // sent_at
    time, // received_at
    typeof context.ip === 'string' ? context.ip : '',
    userAgent,
    device?.browser ?? '',
    device?.browserVersion ?? '',
    device?.os ?? '',
    device?.osVersion ?? '',
    device?.deviceType ?? 'unknown',
    false, // is_bot
    url,
    typeof page?.path === 'string' ? page.path : '',
    typeof page?.referrer === 'string' ? page.referrer : '',
    ...campaign,
    commerce.order_id,
    commerce.revenue,
    commerce.currency,
    commerce.product_ids,
    JSON.stringify(properties),
    JSON.stringify(message.traits ?? {}),
    JSON.stringify(context),
  ];
}

/** The simulator writes `toISOString()` times (`2025-05-01T12:30:00.250Z`): a slice makes the DateTime64 text. */
function clickHouseTime(iso: string): string {
  if (iso.length === 24 && iso[10] === 'T' && iso[23] === 'Z') return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  return formatClickHouseDateTime64(Date.parse(iso));
}
