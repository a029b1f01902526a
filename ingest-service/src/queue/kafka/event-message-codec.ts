import type { KafkaMessage, Message } from 'kafkajs';
import type { AcceptedEvent, QueuedEvent } from '../event-queue.js';

/** Header of a one-event message (the first layout; still read): the event's dedup key. */
export const DEDUP_KEY_HEADER = 'sextant-key';
/** Header of a many-event message: JSON `[[dedupKey, partitionKey], ...]`, one pair per row. */
export const EVENT_KEYS_HEADER = 'sextant-keys';

/**
 * The partition of a shopper's events: FNV-1a of the partition key modulo the partition count.
 * Every ingest process computes the same, so one shopper's events share one partition and keep
 * their order there.
 */
export function partitionFor(partitionKey: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < partitionKey.length; i++) {
    h ^= partitionKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/**
 * One request's events as Kafka messages: one message per partition holding that partition's rows
 * in request order (JSONCompactEachRow lines), with their keys in a header. Kafka's cost is per
 * record, in kafkajs on both sides and in the broker, so a 100-event request becomes at most one
 * record per partition instead of 100.
 */
export function encodeEventMessages(events: AcceptedEvent[], partitions: number): Message[] {
  const groups = new Map<number, { rows: string[]; keys: [string, string][] }>();
  for (const e of events) {
    const p = partitionFor(e.partitionKey, partitions);
    let g = groups.get(p);
    if (!g) groups.set(p, (g = { rows: [], keys: [] }));
    g.rows.push(e.rowText);
    g.keys.push([e.dedupKey, e.partitionKey]);
  }
  return [...groups].map(([partition, g]) => ({
    partition,
    key: g.keys[0]![1],
    value: g.rows.join(''),
    headers: { [EVENT_KEYS_HEADER]: JSON.stringify(g.keys) },
  }));
}

/** The events of a message (either layout), or the reason it is not a Sextant event message. */
export function decodeEventMessage(message: KafkaMessage): QueuedEvent[] | string {
  const many = headerText(message, EVENT_KEYS_HEADER);
  if (many !== undefined) return decodeMany(message, many);
  const dedupKey = headerText(message, DEDUP_KEY_HEADER) ?? '';
  if (!dedupKey || !dedupKey.includes(':')) return `missing ${DEDUP_KEY_HEADER} header`;
  if (!message.value || message.value.length === 0) return 'empty message value';
  const row = message.value;
  // Cheap shape check; ClickHouse validates the row fully and the loader isolates what it refuses.
  if (row[0] !== 0x5b /* [ */) return 'the value is not a JSON row';
  return [
    {
      dedupKey,
      partitionKey: message.key?.toString('utf8') ?? '',
      row: row[row.length - 1] === 0x0a ? row : Buffer.concat([row, Buffer.from('\n')]),
    },
  ];
}

function decodeMany(message: KafkaMessage, keysJson: string): QueuedEvent[] | string {
  let keys: unknown;
  try {
    keys = JSON.parse(keysJson);
  } catch {
    return `${EVENT_KEYS_HEADER} header is not JSON`;
  }
  if (!Array.isArray(keys) || keys.length === 0) return `${EVENT_KEYS_HEADER} header is not a non-empty list`;
  const value = message.value;
  if (!value || value.length === 0) return 'empty message value';
  const events: QueuedEvent[] = [];
  // Rows are JSON lines: a JSON text never holds a raw newline, so each 0x0a ends one row.
  let start = 0;
  for (let i = 0; i < keys.length; i++) {
    const pair = keys[i] as unknown;
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || !pair[0].includes(':') || typeof pair[1] !== 'string') {
      return `${EVENT_KEYS_HEADER} entry ${i} is not [dedupKey, partitionKey]`;
    }
    const end = value.indexOf(0x0a, start);
    if (end < 0) return `the value holds ${i} rows, the header ${keys.length}`;
    if (value[start] !== 0x5b /* [ */) return `row ${i} is not a JSON row`;
    events.push({ dedupKey: pair[0], partitionKey: pair[1], row: value.subarray(start, end + 1) });
    start = end + 1;
  }
  if (start !== value.length) return `the value holds more rows than the header's ${keys.length}`;
  return events;
}

function headerText(message: KafkaMessage, name: string): string | undefined {
  const h = message.headers?.[name];
  if (Buffer.isBuffer(h)) return h.toString('utf8');
  if (typeof h === 'string') return h;
  return undefined;
}
