import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { AcceptedEvent } from '../event-queue.js';
import { DEDUP_KEY_HEADER, EVENT_KEYS_HEADER, decodeEventMessage, encodeEventMessages, partitionFor } from './event-message-codec.js';

const ev = (user: string, n: number): AcceptedEvent => ({ dedupKey: `src:${user}-${n}`, partitionKey: user, rowText: `["${user}",${n}]\n` });

/** What a consumer receives for a produced message (headers and value as Buffers). */
function asReceived(m: { key?: unknown; value: unknown; headers?: Record<string, unknown> }): KafkaMessage {
  const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]));
  return { key: m.key == null ? null : Buffer.from(String(m.key)), value: Buffer.from(String(m.value)), headers, offset: '0', timestamp: '0', attributes: 0 } as KafkaMessage;
}

describe('Kafka event messages', () => {
  it('puts one shopper always on the same partition and spreads shoppers over all partitions', () => {
    expect(partitionFor('shopper-1', 6)).toBe(partitionFor('shopper-1', 6));
    const used = new Set(Array.from({ length: 200 }, (_, i) => partitionFor(`shopper-${i}`, 6)));
    expect([...used].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('writes one message per partition, in request order, and reads back every event', () => {
    const events = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].flatMap((u) => [ev(u, 1), ev(u, 2)]);
    const messages = encodeEventMessages(events, 3);
    expect(messages.length).toBeLessThanOrEqual(3);
    expect(new Set(messages.map((m) => m.partition)).size).toBe(messages.length);
    const back = messages.flatMap((m) => {
      const decoded = decodeEventMessage(asReceived(m));
      if (typeof decoded === 'string') throw new Error(decoded);
      for (const e of decoded) expect(partitionFor(e.partitionKey, 3)).toBe(m.partition);
      return decoded;
    });
    expect(back.map((e) => e.dedupKey).sort()).toEqual(events.map((e) => e.dedupKey).sort());
    for (const e of back) expect(e.row.toString()).toBe(events.find((x) => x.dedupKey === e.dedupKey)!.rowText);
    // Within a shopper, the order sent.
    const forA = back.filter((e) => e.partitionKey === 'a').map((e) => e.dedupKey);
    expect(forA).toEqual(['src:a-1', 'src:a-2']);
  });

  it('still reads one-event messages of the first layout', () => {
    const decoded = decodeEventMessage(asReceived({ key: 'u', value: '["x"]', headers: { [DEDUP_KEY_HEADER]: 'src:1' } }));
    expect(decoded).toEqual([{ dedupKey: 'src:1', partitionKey: 'u', row: Buffer.from('["x"]\n') }]);
  });

  it.each([
    ['no key header', { value: '["x"]\n', headers: {} }, /missing sextant-key header/],
    ['keys not JSON', { value: '["x"]\n', headers: { [EVENT_KEYS_HEADER]: '[[' } }, /not JSON/],
    ['fewer rows than keys', { value: '["x"]\n', headers: { [EVENT_KEYS_HEADER]: '[["s:1","u"],["s:2","u"]]' } }, /holds 1 rows, the header 2/],
    ['more rows than keys', { value: '["x"]\n["y"]\n', headers: { [EVENT_KEYS_HEADER]: '[["s:1","u"]]' } }, /more rows/],
    ['a row that is not JSON', { value: 'nope\n', headers: { [EVENT_KEYS_HEADER]: '[["s:1","u"]]' } }, /row 0 is not a JSON row/],
    ['a bad key entry', { value: '["x"]\n', headers: { [EVENT_KEYS_HEADER]: '[["nocolon","u"]]' } }, /entry 0/],
  ])('refuses %s with a reason (the message goes to the dead-letter topic)', (_name, m, reason) => {
    const decoded = decodeEventMessage(asReceived(m));
    expect(typeof decoded).toBe('string');
    expect(decoded).toMatch(reason);
  });
});
