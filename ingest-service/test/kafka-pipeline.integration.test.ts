import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestKafka, type TestKafka } from '@sextant/infra';
import { startKafkaRoles, storedCounts, waitUntil, type KafkaRoles } from './fixtures/kafka-roles.js';
import { KafkaQueue, DEDUP_KEY_HEADER } from '../src/queue/kafka/kafka-queue.js';
import { createKafka } from '../src/queue/kafka/create-kafka.js';
import { ensureTopics } from '../src/queue/kafka/ensure-topics.js';
import { createIngestMetrics } from '../src/metrics/ingest-metrics.js';
import type { QueuedEvent } from '../src/queue/event-queue.js';

let kafka: TestKafka;
let roles: KafkaRoles;

beforeAll(async () => {
  kafka = await getTestKafka();
  if (!kafka.skipReason) roles = await startKafkaRoles(kafka.brokers);
}, 180_000);

afterAll(async () => {
  await roles?.stop();
  await kafka?.stop();
}, 60_000);

const track = (userId: string, i = 0) => ({ type: 'track', event: 'Product Viewed', userId, messageId: `${userId}-${i}`, properties: { i } });

function postBatch(batch: unknown[]) {
  return roles.ingest.app.inject({
    method: 'POST',
    url: '/v1/batch',
    payload: { batch },
    headers: { authorization: roles.basicAuth, 'content-type': 'application/json' },
  });
}

describe('HTTP → Kafka → loader → ClickHouse', () => {
  it('stores what the tracking API acknowledged and reads it back through /api/events', async (ctx) => {
    if (kafka.skipReason) return ctx.skip(kafka.skipReason);
    const userId = `kafka-e2e-${randomUUID()}`;
    const res = await postBatch([track(userId, 1), track(userId, 2), { type: 'identify', userId, messageId: `${userId}-id`, traits: { email: 'k@example.com' } }]);
    expect(res.statusCode).toBe(200);
    let events: { messageId: string; type: string }[] = [];
    const arrived = await waitUntil(async () => {
      const r = await roles.loader.app.inject({ method: 'GET', url: '/api/events', query: { userId }, headers: { authorization: `Bearer ${roles.adminToken}` } });
      events = (r.json() as { events: { messageId: string; type: string }[] }).events;
      return events.length === 3;
    }, 30_000);
    expect(arrived).toBe(true);
    expect(events.map((e) => e.messageId).sort()).toEqual([`${userId}-1`, `${userId}-2`, `${userId}-id`]);
    const metrics = await roles.loader.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('sextant_kafka_consumer_lag');
    expect(metrics.body).toContain('sextant_events_stored_total');
    // the ingest role times its publishing: one acknowledged request at least, in at least one send
    const ingestMetrics = (await roles.ingest.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(ingestMetrics).toMatch(/^sextant_kafka_publish_duration_seconds_count [1-9]/m);
    expect(ingestMetrics).toMatch(/^sextant_kafka_send_duration_seconds_count [1-9]/m);
  });

  it('a redelivered batch is stored once', async (ctx) => {
    if (kafka.skipReason) return ctx.skip(kafka.skipReason);
    const userId = `kafka-dup-${randomUUID()}`;
    const batch = [track(userId, 1), track(userId, 2)];
    for (let i = 0; i < 3; i++) expect((await postBatch(batch)).statusCode).toBe(200);
    expect(await waitUntil(async () => (await storedCounts(roles.loader, [userId])).size === 2, 30_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 2500)); // give any duplicate time to land
    expect([...(await storedCounts(roles.loader, [userId])).values()]).toEqual([1, 1]);
  });

  it('a poison message goes to the dead-letter topic with its reason; the events around it are stored', async (ctx) => {
    if (kafka.skipReason) return ctx.skip(kafka.skipReason);
    const client = new Kafka({ clientId: 'poison-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const producer = client.producer();
    await producer.connect();
    const userId = `kafka-poison-${randomUUID()}`;
    const good = (i: number) => {
      const ok = JSON.parse(JSON.stringify(track(userId, i))) as Record<string, unknown>;
      return ok;
    };
    // The good ones go through the API (the real encoding); the poison one is written straight to the topic, in between.
    expect((await postBatch([good(1)])).statusCode).toBe(200);
    await producer.send({ topic: 'sextant.events', messages: [{ key: userId, value: 'definitely not an event', headers: { 'x-test': userId } }] });
    expect((await postBatch([good(2)])).statusCode).toBe(200);
    await producer.disconnect();

    expect(await waitUntil(async () => (await storedCounts(roles.loader, [userId])).size === 2, 30_000)).toBe(true);

    const consumer = client.consumer({ groupId: `dlq-reader-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'sextant.events.dlq', fromBeginning: true });
    let found: { reason: string; value: string } | undefined;
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (message.headers?.['x-test']?.toString() === userId) {
          found = { reason: message.headers['sextant-dlq-reason']!.toString(), value: message.value!.toString() };
        }
      },
    });
    const seen = await waitUntil(async () => found !== undefined, 30_000);
    await consumer.disconnect();
    expect(seen).toBe(true);
    expect(found).toEqual({ reason: `missing ${DEDUP_KEY_HEADER} header`, value: 'definitely not an event' });
    const metrics = await roles.loader.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/sextant_dead_letter_total\{reason="not_an_event"\} [1-9]/);
  });
});

describe('volume', () => {
  it('reads past one fetch per partition: 4,000 events (≫ 64 KB per partition) stored once, none re-read', async (ctx) => {
    if (kafka.skipReason) return ctx.skip(kafka.skipReason);
    const metricValue = async (name: string) => {
      const body = (await roles.loader.app.inject({ method: 'GET', url: '/metrics' })).body;
      const line = body.split('\n').find((l) => l.startsWith(`${name} `));
      return line ? Number(line.split(' ')[1]) : 0;
    };
    const dedupBefore = await metricValue('sextant_events_deduplicated_total');
    const users = Array.from({ length: 20 }, () => `kafka-volume-${randomUUID()}`);
    for (let r = 0; r < 20; r++) {
      const batch = users.flatMap((u) => Array.from({ length: 10 }, (_, i) => ({ ...track(u, r * 10 + i), properties: { i, pad: 'x'.repeat(200) } })));
      expect((await postBatch(batch)).statusCode).toBe(200);
    }
    const all = await waitUntil(async () => (await storedCounts(roles.loader, users)).size === 4000, 60_000, 500);
    const stored = await storedCounts(roles.loader, users);
    expect(all).toBe(true);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    // A loader that re-reads what it already stored shows up as a burst of deduplicated events.
    expect((await metricValue('sextant_events_deduplicated_total')) - dedupBefore).toBeLessThan(100);
  });
});

describe('ordering', () => {
  it("one shopper's events reach the loader in the order they were sent", async (ctx) => {
    if (kafka.skipReason) return ctx.skip(kafka.skipReason);
    const topic = `order-test-${randomUUID().slice(0, 8)}`;
    const logger = pino({ level: 'silent' });
    const client = createKafka({ brokers: kafka.brokers, clientId: 'order-test', logger });
    await ensureTopics(client, [topic, `${topic}.dlq`], 4, 1);
    const metrics = createIngestMetrics();
    const queue = new KafkaQueue({ kafka: client, topic, dlqTopic: `${topic}.dlq`, groupId: `order-${topic}`, publishTimeoutMs: 10_000, metrics, logger });
    await queue.connectProducer();
    const seen = new Map<string, number[]>();
    queue.consume(async (batch: QueuedEvent[]) => {
      for (const e of batch) {
        const [user, seq] = JSON.parse(e.row.toString()) as [string, number];
        seen.set(user, [...(seen.get(user) ?? []), seq]);
      }
    });
    const users = Array.from({ length: 6 }, (_, i) => `shopper-${i}`);
    const perUser = 150;
    // Each shopper sends in order (one request after the other); shoppers send concurrently.
    await Promise.all(
      users.map(async (user) => {
        for (let seq = 0; seq < perUser; seq += 3) {
          const events = [seq, seq + 1, seq + 2].map((s) => ({ dedupKey: `src:${user}-${s}`, partitionKey: user, rowText: JSON.stringify([user, s]) + '\n' }));
          await queue.publish(events);
        }
      }),
    );
    const complete = await waitUntil(async () => users.every((u) => (seen.get(u)?.length ?? 0) >= perUser), 60_000);
    await queue.close();
    expect(complete).toBe(true);
    for (const user of users) expect(seen.get(user)).toEqual(Array.from({ length: perUser }, (_, i) => i));
  });
});

describe('broker outage', () => {
  it('answers 503 quickly while Kafka is down, loses no acknowledged event, and recovers by itself', async (ctx) => {
    if (kafka.skipReason) return ctx.skip(kafka.skipReason);
    const broker = kafka.broker;
    if (!broker) throw new Error('this test needs a broker it can stop (the dev broker)');
    const userId = `kafka-outage-${randomUUID()}`;
    const acked = new Set<string>();
    const statuses: number[] = [];
    let slowest = 0;
    let seq = 0;
    let stopSending = false;
    const sender = async () => {
      while (!stopSending) {
        const batch = Array.from({ length: 20 }, () => track(userId, seq++));
        const started = Date.now();
        const res = await postBatch(batch);
        slowest = Math.max(slowest, Date.now() - started);
        statuses.push(res.statusCode);
        if (res.statusCode === 200) for (const e of batch) acked.add(e.messageId);
        else {
          expect(res.statusCode).toBe(503);
          expect(res.headers['retry-after']).toBeDefined();
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const senders = [sender(), sender(), sender()];
    await new Promise((r) => setTimeout(r, 1500));
    await broker.stop();
    await new Promise((r) => setTimeout(r, 4000));
    const during = await roles.ingest.app.inject({ method: 'GET', url: '/readyz' });
    const okBeforeRestart = statuses.filter((s) => s === 200).length;
    await broker.restart();
    const recovered = await waitUntil(async () => statuses.slice(okBeforeRestart).includes(200) && statuses.at(-1) === 200, 60_000);
    stopSending = true;
    await Promise.all(senders);

    expect(statuses).toContain(503);
    expect(during.statusCode).toBe(503);
    expect(recovered).toBe(true);
    // Bounded: never much longer than the publish timeout (1.5 s), even with the broker gone.
    expect(slowest).toBeLessThan(1500 + 3000);
    const allStored = await waitUntil(async () => {
      const stored = await storedCounts(roles.loader, [userId]);
      return [...acked].every((id) => stored.has(id));
    }, 90_000, 500);
    const stored = await storedCounts(roles.loader, [userId]);
    expect(allStored).toBe(true);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
    expect(acked.size).toBeGreaterThan(100);
  }, 240_000);
});
