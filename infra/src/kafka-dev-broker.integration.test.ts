import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from './broker-process.js';
import { DevBrokerError } from './errors.js';
import { isJavaAndMavenAvailable } from './host-tools.js';
import { readRunningPid } from './dev-broker-dir.js';
import { startDevBroker, type DevBroker } from './kafka-dev-broker.js';

// A real broker JVM: start, produce and consume, kill -9, restart on the same data dir. ~15–25 s.
const canRun = isJavaAndMavenAvailable();
if (!canRun && process.env.CI === 'true') throw new Error('CI=true but java/mvn are missing: the Docker-less Kafka broker cannot be tested');

const TOPIC = 'dev-broker-test';
let dataDir: string;
let broker: DevBroker | undefined;

function client(brokers: string[]): Kafka {
  // Retries long enough to ride over a broker restart (the spec's fault runs needed ~19 s).
  return new Kafka({ clientId: 'dev-broker-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 30, maxRetryTime: 2000 } });
}

async function produce(kafka: Kafka, values: string[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ key: 'k', value })) });
  } finally {
    await producer.disconnect();
  }
}

/** Reads the topic from the start with a fresh group until `count` values arrived (bounded). */
async function consume(kafka: Kafka, count: number, timeoutMs = 20_000): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${Date.now()}-${Math.random()}` });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${values.length} of ${count} messages in ${timeoutMs} ms: ${values.join(', ')}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? '');
          if (values.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

describe.skipIf(!canRun)('the Docker-less dev broker (java + mvn)', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sextant-kafka-test-'));
  });

  afterAll(async () => {
    // Even when a test failed half-way: no JVM left behind, no temp dir.
    await broker?.kill().catch(() => undefined);
    await broker?.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('starts, and answers produce and consume with kafkajs', async () => {
    broker = await startDevBroker({ dataDir, heapMb: 384 });
    expect(broker.brokers).toEqual([`127.0.0.1:${broker.port}`]);
    expect(readRunningPid(dataDir)).toBe(broker.pid);
    const properties = await readFile(path.join(dataDir, 'server.properties'), 'utf8');
    expect(properties).toContain('auto.create.topics.enable=false');
    expect(properties).toContain('broker.session.timeout.ms=3000');

    const kafka = client(broker.brokers);
    await withAdmin(kafka, (admin) => admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 1 }] }));
    await produce(kafka, ['before-crash']);
    expect(await consume(kafka, 1)).toEqual(['before-crash']);
  }, 60_000);

  it('a second broker on the same data dir is refused while the first runs', async () => {
    if (!broker) throw new Error('the first test did not start a broker');
    const second = startDevBroker({ dataDir });
    await expect(second).rejects.toBeInstanceOf(DevBrokerError);
    await expect(second).rejects.toMatchObject({ code: 'ALREADY_RUNNING' });
  });

  it('keeps acknowledged messages across kill -9 and a restart on the same data dir and port', async () => {
    if (!broker) throw new Error('the first test did not start a broker');
    const { pid, port } = broker;
    await broker.kill();
    expect(isAlive(pid)).toBe(false);

    await broker.restart();
    expect(broker.pid).not.toBe(pid);
    expect(broker.port).toBe(port);

    const kafka = client(broker.brokers);
    await produce(kafka, ['after-restart']);
    expect(await consume(kafka, 2)).toEqual(['before-crash', 'after-restart']);
  }, 60_000);

  it('stops with SIGTERM, leaving the data for the next start', async () => {
    if (!broker) throw new Error('the first test did not start a broker');
    const { pid } = broker;
    await broker.stop();
    expect(isAlive(pid)).toBe(false);
    expect(readRunningPid(dataDir)).toBeUndefined();
    expect(existsSync(path.join(dataDir, 'kraft-combined-logs', 'meta.properties'))).toBe(true);
  }, 30_000);
});

describe.skipIf(!canRun)('a broker in a temporary data dir', () => {
  it('removes its data dir on close()', async () => {
    const temp = await startDevBroker({ heapMb: 256 });
    try {
      expect(existsSync(temp.dataDir)).toBe(true);
    } finally {
      await temp.close();
    }
    expect(existsSync(temp.dataDir)).toBe(false);
    await expect(temp.restart()).rejects.toMatchObject({ code: 'BROKER_CLOSED' });
  }, 60_000);
});
