/**
 * Bulk mode: simulated messages straight into the ClickHouse `events` table, as large pre-serialised
 * JSONCompactEachRow inserts through `store.insertRaw` (the engine parses on its own threads while
 * JavaScript builds the next batch; one insert in flight at a time). For benchmark datasets: it
 * bypasses the API, its queue and dedup, so the data dir must not be in use by a running server.
 */
import { EVENT_ROW_COLUMNS } from '@sextant/schemas';
import type { Store } from '@sextant/store';
import type { SimMessage } from '../journeys/sim-message.js';
import { toEventRowLine } from './to-event-row.js';

export interface BulkWriterOptions {
  store: Pick<Store, 'insertRaw'>;
  sourceId: string;
  /** Rows per insert (ClickHouse wants few large inserts). Default 100,000. */
  batchRows?: number;
  /** Called after each insert with the rows inserted so far. */
  onInsert?: (insertedRows: number) => void;
}

export interface BulkWriter {
  write(message: SimMessage): Promise<void>;
  /** Inserts what is buffered and waits for every insert; returns the rows inserted. */
  close(): Promise<number>;
  readonly bufferedRows: number;
  readonly insertedRows: number;
}

export function createBulkWriter(options: BulkWriterOptions): BulkWriter {
  const batchRows = options.batchRows ?? 100_000;
  let lines: string[] = [];
  let inserted = 0;
  let inFlight: Promise<void> | undefined;

  const insert = async (batch: string[]) => {
    await options.store.insertRaw({
      table: 'events',
      format: 'JSONCompactEachRow',
      columns: EVENT_ROW_COLUMNS,
      body: Buffer.from(batch.join('')),
    });
    inserted += batch.length;
    options.onInsert?.(inserted);
  };

  const startInsert = async () => {
    const batch = lines;
    lines = [];
    // One insert at a time: wait for the previous one before handing the engine the next.
    if (inFlight) await inFlight;
    inFlight = insert(batch);
    // Its failure is reported by the next write or close (which await it), not as an unhandled rejection.
    inFlight.catch(() => undefined);
  };

  return {
    async write(message) {
      lines.push(toEventRowLine(message, options.sourceId));
      if (lines.length >= batchRows) await startInsert();
    },
    async close() {
      if (lines.length > 0) await startInsert();
      if (inFlight) await inFlight;
      inFlight = undefined;
      return inserted;
    },
    get bufferedRows() {
      return lines.length;
    },
    get insertedRows() {
      return inserted;
    },
  };
}
