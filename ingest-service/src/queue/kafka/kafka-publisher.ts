import type { Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { QueueUnavailableError } from '../queue-unavailable-error.js';

/** Where the publisher reports its timings (seconds). */
export interface PublisherTimings {
  /** A request's wait plus send, until acknowledged. */
  published: (seconds: number) => void;
  /** One producer send of `requests` gathered requests. */
  sent: (seconds: number, requests: number) => void;
}

interface Entry {
  messages: Message[];
  startedAt: number;
  bytes: number;
  settled: boolean;
  timer: NodeJS.Timeout;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Stay under the broker's default message.max.bytes (1 MiB) per partition batch. */
const MAX_SEND_BYTES = 900 * 1024;

interface Lane {
  producer: Producer;
  sending: boolean;
  reconnectDelayMs: number;
}

/**
 * kafkajs has no linger: this gathers the messages of concurrent requests into one `send` (acks from
 * all in-sync replicas, idempotent producer), like a group commit. Several producers ("lanes") send
 * at once, since an idempotent kafkajs producer has one request in flight; a shopper who waits for
 * each acknowledgement before sending again still sees their events in order. Each request waits at
 * most `timeoutMs` and then gets QueueUnavailableError (→ 503), so no HTTP request hangs while Kafka
 * is away. After a failed send that lane's producer is reconnected with backoff.
 */
export class KafkaPublisher {
  private queue: Entry[] = [];
  private readonly lanes: Lane[];
  private healthy = true;

  constructor(
    producers: Producer[],
    private readonly topic: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly timings?: PublisherTimings,
  ) {
    this.lanes = producers.map((producer) => ({ producer, sending: false, reconnectDelayMs: 250 }));
  }

  publish(messages: Message[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry: Entry = {
        messages,
        startedAt: performance.now(),
        bytes: messages.reduce((n, m) => n + messageBytes(m.value) + 64, 0),
        settled: false,
        resolve,
        reject,
        timer: setTimeout(() => {
          if (entry.settled) return;
          entry.settled = true;
          // Kafka is too slow or away: not ready until a send succeeds again.
          this.healthy = false;
          reject(new QueueUnavailableError(`Kafka did not acknowledge within ${this.timeoutMs} ms`));
        }, this.timeoutMs),
      };
      this.queue.push(entry);
      const idle = this.lanes.find((l) => !l.sending);
      if (idle) void this.loop(idle);
    });
  }

  get isHealthy(): boolean {
    return this.healthy;
  }

  /** Waits for sends in flight (used at shutdown). */
  async idle(): Promise<void> {
    while (this.lanes.some((l) => l.sending)) await new Promise((r) => setTimeout(r, 5));
  }

  private takeGroup(): Entry[] {
    const group: Entry[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (next.settled) {
        this.queue.shift(); // timed out before it was sent: the client was told 503 and will retry
        continue;
      }
      if (group.length > 0 && bytes + next.bytes > MAX_SEND_BYTES) break;
      group.push(this.queue.shift()!);
      bytes += next.bytes;
    }
    return group;
  }

  private async loop(lane: Lane): Promise<void> {
    lane.sending = true;
    try {
      for (let group = this.takeGroup(); group.length > 0; group = this.takeGroup()) {
        try {
          const sendStart = performance.now();
          await lane.producer.send({ topic: this.topic, acks: -1, messages: group.flatMap((e) => e.messages) });
          this.healthy = true;
          lane.reconnectDelayMs = 250;
          const now = performance.now();
          this.timings?.sent((now - sendStart) / 1000, group.length);
          for (const e of group) {
            if (!e.settled) this.timings?.published((now - e.startedAt) / 1000);
            settle(e, null);
          }
        } catch (err) {
          this.healthy = false;
          const error = err instanceof Error ? err : new Error(String(err));
          this.logger.error({ err: error, requests: group.length }, 'publishing to Kafka failed');
          for (const e of group) settle(e, new QueueUnavailableError(`Kafka refused the events: ${error.message}`));
          await this.reconnect(lane);
        }
      }
    } finally {
      lane.sending = false;
    }
  }

  private async reconnect(lane: Lane): Promise<void> {
    await new Promise((r) => setTimeout(r, lane.reconnectDelayMs));
    lane.reconnectDelayMs = Math.min(5000, lane.reconnectDelayMs * 2);
    try {
      await lane.producer.disconnect();
    } catch {
      // already gone
    }
    try {
      await lane.producer.connect();
    } catch (err) {
      this.logger.warn({ err }, 'Kafka producer could not reconnect yet');
    }
  }
}

function settle(entry: Entry, error: Error | null): void {
  clearTimeout(entry.timer);
  if (entry.settled) return;
  entry.settled = true;
  if (error) entry.reject(error);
  else entry.resolve();
}

/** A message value's size in bytes (string values are UTF-8 encoded by kafkajs). */
function messageBytes(value: Message['value']): number {
  if (value == null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
