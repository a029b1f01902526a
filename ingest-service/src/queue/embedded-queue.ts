import type { Logger } from 'pino';
import { GroupCommitLog } from './group-commit-log.js';
import type { BatchHandler, EventQueue, QueuedEvent } from './event-queue.js';
import { QueueFullError } from './queue-full-error.js';

export interface EmbeddedQueueOptions {
  dir: string;
  /** Accepted-but-unloaded bytes held in memory; past it, publish answers QueueFullError. */
  maxBytes: number;
  /** Drain at least this often. */
  flushIntervalMs: number;
  /** Drain early, and at most this many events per batch. */
  maxBatchEvents: number;
  logger: Logger;
}

interface Pending {
  event: QueuedEvent;
  endOffset: number;
  bytes: number;
}

/**
 * The embedded default's queue: a group-commit log on local disk (so a 2xx means fsync'd) plus an
 * in-memory copy of what is not loaded yet, drained into ClickHouse in large batches. At start-up
 * the log is replayed, so events acknowledged before a crash are loaded after it.
 */
export class EmbeddedQueue implements EventQueue {
  private pending: Pending[] = [];
  private reservedBytes = 0;
  private handler: BatchHandler | null = null;
  private timer: NodeJS.Timeout | null = null;
  private drainChain: Promise<void> = Promise.resolve();
  private busy = false;
  private consecutiveFailures = 0;
  private nextAttemptAt = 0;
  private closing = false;

  private constructor(
    private readonly log: GroupCommitLog,
    private readonly options: EmbeddedQueueOptions,
  ) {}

  static async open(options: EmbeddedQueueOptions): Promise<EmbeddedQueue> {
    const { log, unconsumed } = await GroupCommitLog.open({ dir: options.dir });
    const queue = new EmbeddedQueue(log, options);
    for (const record of unconsumed) {
      const event = decodeRecord(record.payload);
      queue.pending.push({ event, endOffset: record.endOffset, bytes: record.payload.length });
      queue.reservedBytes += record.payload.length;
    }
    if (unconsumed.length > 0) options.logger.info({ events: unconsumed.length }, 'replaying acknowledged events from the queue log');
    return queue;
  }

  /** Events recovered from the log at start-up and not loaded yet (the loader checks them against storage). */
  replayedKeys(): string[] {
    return this.pending.map((p) => p.event.dedupKey);
  }

  async publish(events: QueuedEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.closing) throw new QueueFullError(1);
    const payloads = events.map(encodeRecord);
    const bytes = payloads.reduce((n, p) => n + p.length, 0);
    if (this.reservedBytes + bytes > this.options.maxBytes) {
      throw new QueueFullError(Math.max(1, Math.ceil(this.options.flushIntervalMs / 1000)));
    }
    this.reservedBytes += bytes;
    let ends: number[];
    try {
      ends = await this.log.append(payloads);
    } catch (err) {
      this.reservedBytes -= bytes;
      throw err;
    }
    for (let i = 0; i < events.length; i++) {
      this.pending.push({ event: events[i]!, endOffset: ends[i]!, bytes: payloads[i]!.length });
    }
    if (this.pending.length >= this.options.maxBatchEvents) this.kick();
  }

  consume(handler: BatchHandler): void {
    this.handler = handler;
    this.timer = setInterval(() => this.kick(), this.options.flushIntervalMs);
    this.timer.unref();
    this.kick();
  }

  private kick(): void {
    if (this.busy || !this.handler || this.pending.length === 0) return;
    if (Date.now() < this.nextAttemptAt) return;
    this.drain().then(
      () => {
        if (this.pending.length >= this.options.maxBatchEvents && !this.closing) this.kick();
      },
      // Only the checkpoint write can fail here; the events are loaded, and a replay is deduplicated.
      (err: unknown) => this.options.logger.error({ err }, 'could not record the queue checkpoint'),
    );
  }

  /** Runs one drain after any drain in progress: drains never overlap, so a batch is taken once. */
  private drain(): Promise<void> {
    this.busy = true;
    const run = this.drainChain.then(() => this.drainOnce());
    this.drainChain = run.finally(() => {
      if (this.drainChain === tail) this.busy = false;
    });
    const tail = this.drainChain;
    return run;
  }

  private async drainOnce(): Promise<void> {
    if (this.pending.length === 0 || !this.handler) return;
    const take = this.pending.slice(0, this.options.maxBatchEvents);
    try {
      await this.handler(take.map((p) => p.event));
    } catch (err) {
      // Nothing is dropped: the batch stays at the head of the queue and is retried with backoff.
      this.consecutiveFailures++;
      const delay = Math.min(30_000, 250 * 2 ** Math.min(this.consecutiveFailures, 7));
      this.nextAttemptAt = Date.now() + delay;
      this.options.logger.error({ err, events: take.length, retryInMs: delay }, 'loading a batch into ClickHouse failed; will retry');
      return;
    }
    this.consecutiveFailures = 0;
    this.nextAttemptAt = 0;
    this.pending.splice(0, take.length);
    this.reservedBytes -= take.reduce((n, p) => n + p.bytes, 0);
    await this.log.commit(take[take.length - 1]!.endOffset);
  }

  /** Loads everything accepted so far (used at shutdown and by tests); stops early if loading fails. */
  async flush(): Promise<void> {
    while (this.pending.length > 0 && this.handler) {
      const before = this.consecutiveFailures;
      await this.drain();
      if (this.consecutiveFailures > before) throw new Error('loading queued events failed; see the log');
    }
    await this.drainChain;
  }

  depth(): { events: number; bytes: number } {
    return { events: this.pending.length, bytes: this.reservedBytes };
  }

  isHealthy(): boolean {
    return this.log.healthy && this.consecutiveFailures < 3;
  }

  async close(options: { drain?: boolean } = {}): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    await this.drainChain;
    if (options.drain) await this.flush().catch((err: unknown) => this.options.logger.error({ err }, 'events left in the queue log; they load at the next start'));
    await this.log.close();
  }
}

// Record = u16 key length, u16 partition-key length, the two keys, then the row bytes.
function encodeRecord(e: QueuedEvent): Buffer {
  const key = Buffer.from(e.dedupKey);
  const part = Buffer.from(e.partitionKey);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt16LE(key.length, 0);
  head.writeUInt16LE(part.length, 2);
  return Buffer.concat([head, key, part, e.row]);
}

function decodeRecord(payload: Buffer): QueuedEvent {
  const keyLen = payload.readUInt16LE(0);
  const partLen = payload.readUInt16LE(2);
  return {
    dedupKey: payload.subarray(4, 4 + keyLen).toString(),
    partitionKey: payload.subarray(4 + keyLen, 4 + keyLen + partLen).toString(),
    row: payload.subarray(4 + keyLen + partLen),
  };
}
