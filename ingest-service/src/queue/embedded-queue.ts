import type { Logger } from 'pino';
import { GroupCommitLog, LOG_RECORD_HEADER_BYTES } from './group-commit-log.js';
import type { AcceptedEvent, BatchHandler, EventQueue, QueuedEvent } from './event-queue.js';
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
  /**
   * The log offset that may be committed once this event (and all before it) is loaded: the end of
   * its record when it is the record's last event, else the record's start (a record holds a whole
   * request, so a drain that splits one must replay it; the loader drops what was already stored).
   */
  commitOffset: number;
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
      const events = decodeRecord(record.payload);
      queue.track(events, record.endOffset, record.payload.length);
      queue.reservedBytes += record.payload.length;
    }
    if (queue.pending.length > 0) options.logger.info({ events: queue.pending.length }, 'replaying acknowledged events from the queue log');
    return queue;
  }

  /** Events recovered from the log at start-up and not loaded yet (the loader checks them against storage). */
  replayedKeys(): string[] {
    return this.pending.map((p) => p.event.dedupKey);
  }

  /** Writes the events as ONE log record (one buffer, one checksum) and resolves once it is fsync'd. */
  async publish(events: AcceptedEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.closing) throw new QueueFullError(1);
    const { payload, queued } = encodeRecord(events);
    const bytes = payload.length;
    if (this.reservedBytes + bytes > this.options.maxBytes) {
      throw new QueueFullError(Math.max(1, Math.ceil(this.options.flushIntervalMs / 1000)));
    }
    this.reservedBytes += bytes;
    let end: number;
    try {
      [end] = (await this.log.append([payload])) as [number];
    } catch (err) {
      this.reservedBytes -= bytes;
      throw err;
    }
    this.track(queued, end, bytes);
    if (this.pending.length >= this.options.maxBatchEvents) this.kick();
  }

  /** Queues one record's events for loading; the record's bytes are spread over its events. */
  private track(events: QueuedEvent[], endOffset: number, recordBytes: number): void {
    const startOffset = endOffset - recordBytes - LOG_RECORD_HEADER_BYTES;
    const share = Math.floor(recordBytes / events.length);
    for (let i = 0; i < events.length; i++) {
      const last = i === events.length - 1;
      this.pending.push({
        event: events[i]!,
        commitOffset: last ? endOffset : startOffset,
        bytes: last ? recordBytes - share * (events.length - 1) : share,
      });
    }
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
    await this.log.commit(take[take.length - 1]!.commitOffset);
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

/**
 * Record (one request's events): magic "\xffSX2", u32 event count, then per event u16 dedup-key
 * bytes, u16 partition-key bytes, u32 row bytes, and the three. Written into one buffer; the queued
 * events are views into it (no copy per event). Records of the older one-event layout (u16 key
 * length, u16 partition-key length, keys, row) still decode, so a log written before an upgrade
 * replays.
 */
const MAGIC = 0x325853ff; // bytes ff 53 58 32 read as u32 LE
const HEAD_BYTES = 8;
const EVENT_HEAD_BYTES = 8;

function encodeRecord(events: AcceptedEvent[]): { payload: Buffer; queued: QueuedEvent[] } {
  const lengths = new Array<number>(events.length * 3);
  let total = HEAD_BYTES;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const k = Buffer.byteLength(e.dedupKey);
    const p = Buffer.byteLength(e.partitionKey);
    const r = Buffer.byteLength(e.rowText);
    if (k > 0xffff || p > 0xffff) throw new Error('event key longer than 65,535 bytes');
    lengths[i * 3] = k;
    lengths[i * 3 + 1] = p;
    lengths[i * 3 + 2] = r;
    total += EVENT_HEAD_BYTES + k + p + r;
  }
  const payload = Buffer.allocUnsafe(total);
  payload.writeUInt32LE(MAGIC, 0);
  payload.writeUInt32LE(events.length, 4);
  const queued = new Array<QueuedEvent>(events.length);
  let pos = HEAD_BYTES;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const k = lengths[i * 3]!;
    const p = lengths[i * 3 + 1]!;
    const r = lengths[i * 3 + 2]!;
    payload.writeUInt16LE(k, pos);
    payload.writeUInt16LE(p, pos + 2);
    payload.writeUInt32LE(r, pos + 4);
    pos += EVENT_HEAD_BYTES;
    pos += payload.write(e.dedupKey, pos, k, 'utf8');
    pos += payload.write(e.partitionKey, pos, p, 'utf8');
    payload.write(e.rowText, pos, r, 'utf8');
    queued[i] = { dedupKey: e.dedupKey, partitionKey: e.partitionKey, row: payload.subarray(pos, pos + r) };
    pos += r;
  }
  return { payload, queued };
}

function decodeRecord(payload: Buffer): QueuedEvent[] {
  if (payload.length >= HEAD_BYTES && payload.readUInt32LE(0) === MAGIC) {
    const count = payload.readUInt32LE(4);
    const events: QueuedEvent[] = [];
    let pos = HEAD_BYTES;
    for (let i = 0; i < count; i++) {
      const k = payload.readUInt16LE(pos);
      const p = payload.readUInt16LE(pos + 2);
      const r = payload.readUInt32LE(pos + 4);
      pos += EVENT_HEAD_BYTES;
      events.push({
        dedupKey: payload.toString('utf8', pos, pos + k),
        partitionKey: payload.toString('utf8', pos + k, pos + k + p),
        row: payload.subarray(pos + k + p, pos + k + p + r),
      });
      pos += k + p + r;
    }
    return events;
  }
  const keyLen = payload.readUInt16LE(0);
  const partLen = payload.readUInt16LE(2);
  return [
    {
      dedupKey: payload.subarray(4, 4 + keyLen).toString(),
      partitionKey: payload.subarray(4 + keyLen, 4 + keyLen + partLen).toString(),
      row: payload.subarray(4 + keyLen + partLen),
    },
  ];
}
