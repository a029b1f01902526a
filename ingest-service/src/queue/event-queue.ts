/**
 * One event as the pipeline accepted it, handed to `EventQueue.publish`. The row stays a string
 * until the queue writes a whole request at once: one buffer per request, not one per event.
 */
export interface AcceptedEvent {
  /** `sourceId:messageId`: what deduplication keys on. */
  dedupKey: string;
  /** The shopper's id (userId or anonymousId): Kafka's message key, so one shopper's events keep their order. */
  partitionKey: string;
  /** The ClickHouse row as a JSONCompactEachRow line (with its trailing newline). */
  rowText: string;
}

/** One event on its way from the queue to ClickHouse, as the loader receives it. */
export interface QueuedEvent {
  /** `sourceId:messageId`: what deduplication keys on. */
  dedupKey: string;
  /** The shopper's id (userId or anonymousId): Kafka's message key, so one shopper's events keep their order. */
  partitionKey: string;
  /** The ClickHouse row, serialised once as a JSONCompactEachRow line (with its trailing newline). */
  row: Buffer;
}

/** Handles one batch; resolving means the batch is safely stored and its position may be committed. */
export type BatchHandler = (batch: QueuedEvent[]) => Promise<void>;

/**
 * The queue between ingest and the loader: the in-process log (embedded) or Kafka (production).
 * The loader does not know which one it has.
 */
export interface EventQueue {
  /** Resolves once the events are durable; rejects with QueueFullError when the queue is at its bound. */
  publish(events: AcceptedEvent[]): Promise<void>;
  /** Starts delivering batches to `handler`; positions are committed only after it resolves. */
  consume(handler: BatchHandler): void;
  /** Events accepted but not yet handled. */
  depth(): { events: number; bytes: number };
  isHealthy(): boolean;
  /** Stops consuming after the current batch, drains what is left if `drain` is set, and releases files. */
  close(options?: { drain?: boolean }): Promise<void>;
}
