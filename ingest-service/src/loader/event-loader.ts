import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Store } from '@sextant/store';
import { EVENT_ROW_COLUMNS } from '@sextant/schemas';
import type { Logger } from 'pino';
import type { BatchHandler, QueuedEvent } from '../queue/event-queue.js';
import type { IngestMetrics } from '../metrics/ingest-metrics.js';
import { RecentIds } from './recent-ids.js';
import type { SuppressionList } from './suppression-list.js';
import type { DeadLetterSink } from './dead-letter.js';
import { isDataError } from './classify-insert-error.js';

export interface EventLoaderOptions {
  store: Store;
  recentIds: RecentIds;
  metrics: IngestMetrics;
  logger: Logger;
  deadLetter: DeadLetterSink;
  /** Deleted shoppers whose later events are dropped, not stored. */
  suppression?: SuppressionList;
}

/**
 * The loader: drops events already stored (recent-ids filter, also within the batch), then writes
 * the rest as ONE insert of pre-serialised JSONCompactEachRow bytes. The insert carries a dedup token made
 * from its content, so if the same rows are inserted again (a retry after a lost answer) ClickHouse
 * stores them once.
 */
export function createEventLoader(options: EventLoaderOptions): BatchHandler {
  const { store, recentIds, metrics, deadLetter, logger, suppression } = options;

  const insert = async (events: QueuedEvent[]) => {
    const { body, token } = await prepareInsert(events);
    await store.insertRaw({
      table: 'events',
      format: 'JSONCompactEachRow',
      columns: EVENT_ROW_COLUMNS,
      body,
      // Rows carry properties/traits/context as JSON objects; stored as their text (see build-event-row).
      settings: { insert_deduplication_token: token, input_format_json_read_objects_as_strings: 1 },
    });
  };

  // A batch ClickHouse refuses for its data is split in halves until the bad events are alone;
  // those go to the dead-letter sink and every other event is stored.
  const insertOrIsolate = async (events: QueuedEvent[]): Promise<number> => {
    try {
      await insert(events);
      return events.length;
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (events.length === 1) {
        const reason = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 500) : String(err);
        await deadLetter.send(events, `clickhouse rejected the row: ${reason}`);
        // Not stored: a corrected resend with the same messageId must not be dropped as a repeat.
        recentIds.delete(events[0]!.dedupKey);
        metrics.deadLettered.inc({ reason: 'clickhouse_rejected' });
        logger.warn({ dedupKey: events[0]!.dedupKey, reason }, 'event sent to the dead-letter sink');
        return 0;
      }
      const mid = events.length >>> 1;
      return (await insertOrIsolate(events.slice(0, mid))) + (await insertOrIsolate(events.slice(mid)));
    }
  };

  return async (batch: QueuedEvent[]) => {
    await suppression?.refreshIfStale();
    let suppressed = 0;
    // Each key is claimed in the recent-ids window as it is checked, which also drops repeats inside
    // the batch; if the insert fails, the claims are released so the retry stores the events.
    const fresh: QueuedEvent[] = [];
    for (let i = 0; i < batch.length; i += SLICE) {
      const end = Math.min(batch.length, i + SLICE);
      for (let j = i; j < end; j++) {
        const e = batch[j]!;
        if (suppression?.isSuppressed(e.partitionKey)) {
          suppressed++;
          continue;
        }
        if (recentIds.add(e.dedupKey)) fresh.push(e);
      }
      if (end < batch.length) await yieldToRequests();
    }
    if (suppressed > 0) metrics.eventsSuppressed.inc(suppressed);
    const duplicates = batch.length - suppressed - fresh.length;
    if (duplicates > 0) metrics.eventsDeduplicated.inc(duplicates);
    if (fresh.length === 0) return;
    try {
      metrics.eventsStored.inc(await insertOrIsolate(fresh));
    } catch (err) {
      for (const e of fresh) recentIds.delete(e.dedupKey);
      throw err;
    }
  };
}

/**
 * Large loads share the event loop with the tracking API: the work per event (dedup checks,
 * hashing, copying rows) is done in slices with a yield between them, so a 100,000-event load
 * does not hold requests back for tens of milliseconds.
 */
const SLICE = 4096;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The insert body (rows as they are) and its dedup token: a hash of the events' keys, in order. */
async function prepareInsert(events: QueuedEvent[]): Promise<{ body: Buffer; token: string }> {
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  for (let i = 0; i < events.length; i += SLICE) {
    const slice = events.slice(i, i + SLICE);
    hash.update(slice.map((e) => e.dedupKey).join('\n') + '\n');
    parts.push(Buffer.concat(slice.map((e) => e.row)));
    if (i + SLICE < events.length) await yieldToRequests();
  }
  return { body: parts.length === 1 ? parts[0]! : Buffer.concat(parts), token: hash.digest('hex') };
}

/**
 * Fills the recent-ids filter at start-up: the newest keys stored in the last day, and every
 * replayed key that storage already has (an insert that landed just before a crash).
 */
export async function seedRecentIds(client: ClickHouseClient, recentIds: RecentIds, replayedKeys: string[]): Promise<void> {
  const rs = await client.query({
    query: `SELECT k FROM (
              SELECT concat(source_id, ':', message_id) AS k, received_at FROM events
              WHERE received_at > now64(3) - INTERVAL 1 DAY
              ORDER BY received_at DESC LIMIT {limit:UInt64}
            ) ORDER BY received_at ASC`,
    query_params: { limit: recentIds.capacity },
    format: 'JSONCompactEachRow',
  });
  // Oldest first, so the newest end up last and are evicted last.
  for (const [k] of await rs.json<[string]>()) recentIds.add(k);
  if (replayedKeys.length === 0) return;
  const ids = replayedKeys.map((k) => k.slice(k.indexOf(':') + 1));
  const found = await client.query({
    query: `SELECT concat(source_id, ':', message_id) AS k FROM events WHERE message_id IN {ids:Array(String)}`,
    query_params: { ids },
    format: 'JSONCompactEachRow',
  });
  for (const [k] of await found.json<[string]>()) recentIds.add(k);
}
