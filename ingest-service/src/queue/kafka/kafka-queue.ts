import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { AcceptedEvent, BatchHandler, EventQueue, QueuedEvent } from '../event-queue.js';
import type { IngestMetrics } from '../../metrics/ingest-metrics.js';
import { KafkaPublisher } from './kafka-publisher.js';
import { PartitionBatchGroup } from './partition-batch-group.js';
import { decodeEventMessage, encodeEventMessages } from './event-message-codec.js';

/**
 * A fetch returns once the broker has this much for us (or after maxWaitTimeInMs, 1 s): at high rates
 * the loader inserts ~20K events at a time, not a few hundred. Measured at ~25K events/s: 4 MB → 16 MB
 * cut the loader's merge CPU from ~5 to ~2 ms and the broker's from ~11 to ~8 ms per 1,000 events.
 */
const FETCH_MIN_BYTES = 16 * 1024 * 1024;
/** Partition batches handled at once (above the partition count of any sane topic for one loader). */
const MAX_CONCURRENT_PARTITIONS = 64;
/** kafkajs starts a fetch's partition batches together; this covers the microtasks between them. */
const BATCH_LINGER_MS = 10;

export { DEDUP_KEY_HEADER, EVENT_KEYS_HEADER } from './event-message-codec.js';

export interface KafkaQueueOptions {
  kafka: Kafka;
  topic: string;
  dlqTopic: string;
  groupId: string;
  publishTimeoutMs: number;
  /** Producers sending in parallel (each idempotent, one request in flight). Default 3. */
  producers?: number;
  /** Most bytes fetched per partition at once. */
  maxBytesPerPartition?: number;
  /** Most events per ClickHouse insert (partition batches beyond it go into the next one). Default 50,000. */
  maxLoadEvents?: number;
  metrics: IngestMetrics;
  logger: Logger;
  /** Called before the first batch after this loader joins (or re-joins) the group. */
  onAssignment?: () => Promise<void>;
}

/**
 * The production queue: ingest publishes to a Kafka topic partitioned by the shopper (so one
 * shopper's events stay in order on one partition), one record per partition per request; the loader
 * consumes it as a consumer group. Offsets are committed only after the batch handler (the ClickHouse insert) succeeded; until then the batch is
 * retried with backoff while the consumer keeps its group membership. A message that is not a Sextant
 * event goes to the dead-letter topic with the reason, and the partition moves on.
 */
export class KafkaQueue implements EventQueue {
  private producers: Producer[] = [];
  private dlqProducer: Producer | null = null;
  private publisher: KafkaPublisher | null = null;
  private consumer: Consumer | null = null;
  private group: PartitionBatchGroup | null = null;
  private consumerHealthy = true;
  private joinedOnce = false;
  private needsAssignmentHook = false;
  private lagTimer: NodeJS.Timeout | null = null;
  private partitionTimer: NodeJS.Timeout | null = null;
  /** The events topic's partition count, which publishing groups by (refreshed every minute). */
  private partitions = 0;

  constructor(private readonly options: KafkaQueueOptions) {}

  /** Connects the producers (ingest role). Fails fast if Kafka cannot be reached at start-up. */
  async connectProducer(): Promise<void> {
    for (let i = 0; i < (this.options.producers ?? 3); i++) {
      const producer = this.options.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Longer than a broker restart, so a short outage heals inside kafkajs; requests stay bounded by publishTimeoutMs.
        retry: { retries: 30, maxRetryTime: 2000, initialRetryTime: 100 },
      });
      this.producers.push(producer);
      await producer.connect();
    }
    const { metrics } = this.options;
    this.publisher = new KafkaPublisher(this.producers, this.options.topic, this.options.publishTimeoutMs, this.options.logger, {
      published: (s) => metrics.kafkaPublishDuration.observe(s),
      sent: (s) => metrics.kafkaSendDuration.observe(s),
    });
    this.partitions = await this.fetchPartitionCount();
    // Partitions can be added to a live topic: pick them up without a restart.
    this.partitionTimer = setInterval(() => {
      this.fetchPartitionCount().then(
        (n) => (this.partitions = n),
        (err: unknown) => this.options.logger.warn({ err }, 'could not refresh the partition count of the events topic'),
      );
    }, 60_000);
    this.partitionTimer.unref();
  }

  private async fetchPartitionCount(): Promise<number> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [this.options.topic] });
      const n = topics[0]?.partitions.length ?? 0;
      if (n < 1) throw new Error(`Kafka topic ${this.options.topic} has no partitions`);
      return n;
    } finally {
      await admin.disconnect();
    }
  }

  async publish(events: AcceptedEvent[]): Promise<void> {
    if (!this.publisher) throw new Error('the Kafka producer is not connected');
    if (events.length === 0) return;
    await this.publisher.publish(encodeEventMessages(events, this.partitions));
  }

  consume(handler: BatchHandler): void {
    const { kafka, groupId, topic, logger } = this.options;
    const maxBytesPerPartition = this.options.maxBytesPerPartition ?? 16 * 1024 * 1024;
    const consumer = kafka.consumer({
      groupId,
      // Let the broker gather up to 1 MB or 1 s per fetch: large, infrequent ClickHouse inserts.
      minBytes: Math.min(FETCH_MIN_BYTES, maxBytesPerPartition),
      maxWaitTimeInMs: 1000,
      maxBytesPerPartition,
      maxBytes: 64 * 1024 * 1024,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000, restartOnFailure: async () => true },
    });
    this.consumer = consumer;
    this.group = new PartitionBatchGroup(handler, {
      lingerMs: BATCH_LINGER_MS,
      maxEvents: this.options.maxLoadEvents ?? 50_000,
      logger,
      onHealth: (healthy) => (this.consumerHealthy = healthy),
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (this.joinedOnce) this.needsAssignmentHook = true;
      this.joinedOnce = true;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.consumerHealthy = false;
      logger.error({ err: payload.error }, 'Kafka consumer crashed; kafkajs restarts it');
    });
    consumer.on(consumer.events.FETCH, () => {
      this.consumerHealthy = true;
    });
    const run = async () => {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Every partition batch of a fetch at once, so the group below makes them one insert.
        partitionsConsumedConcurrently: MAX_CONCURRENT_PARTITIONS,
        eachBatch: (payload) => this.handleBatch(payload),
      });
    };
    run().catch((err: unknown) => {
      this.consumerHealthy = false;
      logger.error({ err }, 'the Kafka consumer could not start');
    });
    this.lagTimer = setInterval(() => void this.updateLag().catch(() => undefined), 5000);
    this.lagTimer.unref();
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    if (batch.messages.length === 0) return;
    if (this.needsAssignmentHook && this.options.onAssignment) {
      this.needsAssignmentHook = false;
      await this.options.onAssignment();
    }
    const events: QueuedEvent[] = [];
    const poison: { message: KafkaMessage; reason: string }[] = [];
    for (const message of batch.messages) {
      const decoded = decodeEventMessage(message);
      if (typeof decoded === 'string') poison.push({ message, reason: decoded });
      else for (const e of decoded) events.push(e);
    }
    if (poison.length > 0) await this.sendToDeadLetterTopic(poison, batch.partition);

    const loaded = events.length === 0 || (await this.group!.load({ events, heartbeat, isActive: () => isRunning() && !isStale() }));
    if (!loaded) return; // partition moved away while the load was retried: uncommitted, it is redelivered
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    await this.consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
    // kafkajs fetches from the *resolved* offset: without this every fetch restarts where the
    // partition was assigned, and a partition holding more than one fetch is never read past it.
    resolveOffset(batch.lastOffset());
    const lag = Number(BigInt(batch.highWatermark) - BigInt(next));
    this.options.metrics.consumerLag.set({ partition: String(batch.partition) }, Math.max(0, lag));
  }

  private async sendToDeadLetterTopic(poison: { message: KafkaMessage; reason: string }[], partition: number): Promise<void> {
    if (!this.dlqProducer) {
      this.dlqProducer = this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await this.dlqProducer.connect();
    }
    await this.dlqProducer.send({
      topic: this.options.dlqTopic,
      acks: -1,
      messages: poison.map(({ message, reason }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          'sextant-dlq-reason': reason,
          'sextant-source-topic': this.options.topic,
          'sextant-source-partition': String(partition),
          'sextant-source-offset': message.offset,
        },
      })),
    });
    for (const p of poison) {
      this.options.metrics.deadLettered.inc({ reason: 'not_an_event' });
      this.options.logger.warn({ partition, offset: p.message.offset, reason: p.reason }, 'message sent to the dead-letter topic');
    }
  }

  private async updateLag(): Promise<void> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [this.options.topic] });
      const latest = await admin.fetchTopicOffsets(this.options.topic);
      for (const p of latest) {
        const c = committed?.partitions.find((x) => x.partition === p.partition)?.offset ?? '-1';
        const from = c === '-1' ? BigInt(p.low) : BigInt(c);
        this.options.metrics.consumerLag.set({ partition: String(p.partition) }, Number(BigInt(p.high) - from));
      }
    } finally {
      await admin.disconnect();
    }
  }

  depth(): { events: number; bytes: number } {
    return { events: 0, bytes: 0 };
  }

  isHealthy(): boolean {
    const publishing = this.publisher ? this.publisher.isHealthy : true;
    return publishing && (this.consumer ? this.consumerHealthy : true);
  }

  async close(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    if (this.partitionTimer) clearInterval(this.partitionTimer);
    await this.consumer?.disconnect().catch(() => undefined);
    await this.publisher?.idle();
    for (const p of [...this.producers, this.dlqProducer]) await p?.disconnect().catch(() => undefined);
  }
}
