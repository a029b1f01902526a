import { randomUUID } from 'node:crypto';
import { formatClickHouseDateTime64 } from '@sextant/schemas';
import type { StateClient } from '../audiences/clickhouse-audience-state-store.js';
import { ConnectorError } from '../errors.js';
import { GraphClient, type GraphClientOptions } from '../graph/graph-client.js';
import { RunLockLostError } from '../run-lock/run-lock.js';
import type { StoredConversionsFeed } from './feed-repository.js';
import type { ConversionsFeedRun, ConversionsFeedStateStore, FeedCursor } from './feed-state-store.js';
import { conversionsApi, type ConversionsApiSettings } from './index.js';
import { readFeedEvents } from './read-feed-events.js';

export interface RunConversionsFeedOptions {
  feed: Pick<StoredConversionsFeed, 'id' | 'sourceIds' | 'backfillHours' | 'settleSeconds' | 'requireProfileConsent' | 'createdAt'>;
  /** Validated connector settings, token opened. */
  settings: ConversionsApiSettings;
  client: StateClient;
  state: ConversionsFeedStateStore;
  graph?: Partial<GraphClientOptions>;
  now?: () => Date;
  /** After each acknowledged batch (progress; tests crash runs here). */
  onBatch?: (info: { batch: number; cursor: FeedCursor; sent: number }) => void | Promise<void>;
}

export class ConversionsFeedBusyError extends Error {
  readonly code = 'CONVERSION_FEED_RUN_IN_PROGRESS';
  constructor(feedId: string) {
    super(`a run of conversions feed ${feedId} is already running`);
  }
}

const SEVEN_DAYS_MS = 7 * 86_400_000;

/**
 * One run of a Conversions API feed: reads the configured events from `events` after the feed's
 * cursor, in (received_at, message_id) order, a page of ≤ `batchSize` (≤ 1,000) at a time; maps
 * them (event_id = messageId, fbc/fbp from the SDK's context, hashed user data from the event and the
 * person's profile); sends each page; and moves the cursor past the page only after Meta acknowledged
 * it. Delivery is therefore at least once, exactly once in effect: a run that dies between Meta's
 * answer and the cursor write resends that page on the next run, and Meta drops the repeat because it
 * deduplicates on event_name + event_id (48 h, meta.md §2.5). Throttles and transient errors are
 * retried with backoff by the Graph client; when it gives up, or on a bad token, the run fails with
 * the classified error and the cursor stays where Meta last acknowledged.
 */
export async function runConversionsFeed(o: RunConversionsFeedOptions): Promise<ConversionsFeedRun> {
  const { feed, settings, state } = o;
  const now = o.now ?? (() => new Date());
  const runId = randomUUID();
  if (!(await state.tryLock(feed.id, runId))) throw new ConversionsFeedBusyError(feed.id);
  try {
    const start = now().getTime();
    const initial: FeedCursor = { receivedAt: formatClickHouseDateTime64(Date.parse(feed.createdAt) - feed.backfillHours * 3_600_000), messageId: '' };
    let cursor = (await state.cursor(feed.id)) ?? initial;
    const run: ConversionsFeedRun = {
      runId, feedId: feed.id, status: 'running', startedAt: new Date(start).toISOString(), cursorFrom: cursor, cursorTo: cursor,
      read: 0, sent: 0, dropped: 0, skippedConsent: 0, invalidIdentifiers: 0, batches: 0, droppedSamples: [],
    };
    await state.saveRun(run);
    const graph = new GraphClient({ ...conversionsApi.graphOptions(settings), ...o.graph });
    const ctx = { settings, graph, state: {}, now };
    const until = formatClickHouseDateTime64(start - feed.settleSeconds * 1000);
    const minTimestamp = formatClickHouseDateTime64(start - SEVEN_DAYS_MS);
    const dropSample = (d: { messageId: string; reason: string }) => {
      if (run.droppedSamples.length < 100) run.droppedSamples.push(d);
    };
    try {
      for (;;) {
        if (state.lockLost(feed.id, runId)) throw new RunLockLostError(`conversions feed ${feed.id}`);
        const page = await readFeedEvents(o.client, {
          eventNames: Object.keys(settings.events), sourceIds: feed.sourceIds, after: cursor, until, minTimestamp, limit: settings.batchSize,
        });
        if (page.length === 0) break;
        run.read += page.length;
        const events = [];
        for (const e of page) {
          if (e.marketingConsent === false || (feed.requireProfileConsent && !e.member?.marketingConsent)) {
            run.skippedConsent += 1;
            continue;
          }
          events.push(e.member ? { ...e.event, identity: e.member } : e.event);
        }
        const result = events.length > 0 ? await conversionsApi.sendEvents!(ctx, events) : { sent: 0, dropped: [], invalidIdentifiers: 0, received: 0 };
        run.sent += result.sent;
        run.dropped += result.dropped.length;
        run.invalidIdentifiers += result.invalidIdentifiers;
        result.dropped.forEach(dropSample);
        // Meta acknowledged the page (or its events were dropped for good): only now does the cursor move.
        cursor = page.at(-1)!.cursor;
        await state.saveCursor(feed.id, cursor);
        run.cursorTo = cursor;
        run.batches += 1;
        await state.saveRun(run);
        await o.onBatch?.({ batch: run.batches, cursor, sent: result.sent });
        if (page.length < settings.batchSize) break;
      }
      run.status = 'succeeded';
      run.finishedAt = now().toISOString();
      await state.saveRun(run);
      return run;
    } catch (err) {
      const e = err instanceof ConnectorError ? err : undefined;
      run.status = 'failed';
      run.finishedAt = now().toISOString();
      run.error = err instanceof RunLockLostError
        ? { code: err.code, kind: 'retryable', message: err.message }
        : { code: e?.code ?? 'INTERNAL', kind: e?.kind ?? 'retryable', message: (err as Error).message };
      await state.saveRun(run);
      return run;
    }
  } finally {
    await state.unlock(feed.id, runId);
  }
}
