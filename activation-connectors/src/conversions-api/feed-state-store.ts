import type { StateClient } from '../audiences/clickhouse-audience-state-store.js';
import { ClickHouseLeaseLock, type ClickHouseLeaseLockOptions } from '../run-lock/clickhouse-lease-lock.js';
import type { RunLock } from '../run-lock/run-lock.js';

/** Position in `events` (received_at, message_id) up to which Meta acknowledged every event. */
export interface FeedCursor {
  /** DateTime64(3) text, `YYYY-MM-DD hh:mm:ss.mmm` (UTC). */
  receivedAt: string;
  messageId: string;
}

/** One run of a Conversions API feed, as kept in the run history. */
export interface ConversionsFeedRun {
  runId: string;
  feedId: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  cursorFrom: FeedCursor;
  cursorTo: FeedCursor;
  /** Events read from `events`. */
  read: number;
  /** Accepted by Meta (`events_received`). */
  sent: number;
  /** Not forwarded: too old, missing required website fields, or rejected by Meta on their own. */
  dropped: number;
  /** The event (or, with `requireProfileConsent`, the person) has no marketing consent. */
  skippedConsent: number;
  invalidIdentifiers: number;
  batches: number;
  droppedSamples: { messageId: string; reason: string }[];
  error?: { code: string; kind: string; message: string };
}

export interface ConversionsFeedStateStore {
  tryLock(feedId: string, runId: string): Promise<boolean>;
  unlock(feedId: string, runId: string): Promise<void>;
  lockLost(feedId: string, runId: string): boolean;
  cursor(feedId: string): Promise<FeedCursor | undefined>;
  saveCursor(feedId: string, cursor: FeedCursor): Promise<void>;
  saveRun(run: ConversionsFeedRun): Promise<void>;
  /** Newest first. */
  runs(feedId: string, limit?: number): Promise<ConversionsFeedRun[]>;
}

/** The feed's cursor and runs in ClickHouse (migration 21), its lock a lease shared by every process. */
export class ClickHouseConversionsFeedStateStore implements ConversionsFeedStateStore {
  private readonly lock: RunLock;
  private lastRevision = 0;

  constructor(private readonly client: StateClient, options: { lock?: RunLock; lease?: ClickHouseLeaseLockOptions } = {}) {
    this.lock = options.lock ?? new ClickHouseLeaseLock(client, options.lease);
  }

  private revision(): number {
    this.lastRevision = Math.max(Date.now() * 1000, this.lastRevision + 1);
    return this.lastRevision;
  }

  tryLock(feedId: string, runId: string) {
    return this.lock.tryLock(`capi-feed:${feedId}`, runId);
  }
  unlock(feedId: string, runId: string) {
    return this.lock.unlock(`capi-feed:${feedId}`, runId);
  }
  lockLost(feedId: string, runId: string) {
    return this.lock.lost?.(`capi-feed:${feedId}`, runId) ?? false;
  }

  async cursor(feedId: string): Promise<FeedCursor | undefined> {
    const rs = await this.client.query({
      query: `SELECT toString(received_at) AS received_at, message_id FROM conversion_feed_cursors FINAL WHERE feed_id = {feedId:String}`,
      query_params: { feedId }, format: 'JSONEachRow',
    });
    const row = (await rs.json<{ received_at: string; message_id: string }>())[0];
    return row ? { receivedAt: row.received_at, messageId: row.message_id } : undefined;
  }

  async saveCursor(feedId: string, cursor: FeedCursor): Promise<void> {
    await this.client.insert({ table: 'conversion_feed_cursors', format: 'JSONEachRow',
      values: [{ feed_id: feedId, received_at: cursor.receivedAt, message_id: cursor.messageId, revision: this.revision() }] });
  }

  async saveRun(run: ConversionsFeedRun): Promise<void> {
    await this.client.insert({ table: 'conversion_feed_runs', format: 'JSONEachRow', values: [{ feed_id: run.feedId, run_id: run.runId,
      started_at: run.startedAt.replace('T', ' ').replace('Z', ''), status: run.status, run: JSON.stringify(run), revision: this.revision() }] });
  }

  async runs(feedId: string, limit = 50): Promise<ConversionsFeedRun[]> {
    const rs = await this.client.query({
      query: `SELECT run FROM conversion_feed_runs FINAL WHERE feed_id = {feedId:String} ORDER BY started_at DESC, run_id DESC LIMIT {limit:UInt32}`,
      query_params: { feedId, limit }, format: 'JSONEachRow',
    });
    return (await rs.json<{ run: string }>()).map((r) => JSON.parse(r.run) as ConversionsFeedRun);
  }
}
