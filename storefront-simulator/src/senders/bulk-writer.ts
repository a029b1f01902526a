/**
 * Bulk mode: simulated messages straight into the ClickHouse `events` table, as large pre-serialised
 * JSONCompactEachRow inserts through `store.insertRaw`. Each row is written into a reusable buffer
 * as it is made (no big array of strings to join, little garbage to collect); two buffers take turns,
 * so the engine parses one on its own threads while JavaScript fills the other. It bypasses the API
 * (its queue and dedup): the data dir must not be in use by a running server.
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
  /** Bytes per insert at most (a batch is sent early when its buffer is full). Default 256 MiB. */
  batchBytes?: number;
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
  const batchBytes = options.batchBytes ?? 256 * 1024 * 1024;
  // Two buffers, allocated when first needed: one filling, one with the engine.
  const buffers: Buffer[] = [];
  let current = 0;
  let offset = 0;
  let rows = 0;
  let inserted = 0;
  let inFlight: Promise<void> | undefined;

  const buffer = (): Buffer => {
    buffers[current] ??= Buffer.allocUnsafe(batchBytes);
    return buffers[current] as Buffer;
  };

  const startInsert = async () => {
    if (rows === 0) return;
    const body = buffer().subarray(0, offset);
    const count = rows;
    // The other buffer is free once its insert is done.
    if (inFlight) await inFlight;
    inFlight = options.store
      .insertRaw({ table: 'events', format: 'JSONCompactEachRow', columns: EVENT_ROW_COLUMNS, body })
      .then(() => {
        inserted += count;
        options.onInsert?.(inserted);
      });
    // Its failure is reported by the next write or close (which await it), not as an unhandled rejection.
    inFlight.catch(() => undefined);
    current = 1 - current;
    offset = 0;
    rows = 0;
  };

  return {
    async write(message) {
      const line = toEventRowLine(message, options.sourceId);
      // UTF-8 takes at most 3 bytes per UTF-16 unit: a cheap bound instead of measuring each line.
      if (offset + line.length * 3 > batchBytes) {
        await startInsert();
        if (line.length * 3 > batchBytes) throw new RangeError(`an event row of ${line.length} characters does not fit in a ${batchBytes}-byte batch`);
      }
      offset += buffer().write(line, offset);
      rows += 1;
      if (rows >= batchRows) await startInsert();
    },
    async close() {
      await startInsert();
      if (inFlight) await inFlight;
      inFlight = undefined;
      return inserted;
    },
    get bufferedRows() {
      return rows;
    },
    get insertedRows() {
      return inserted;
    },
  };
}
