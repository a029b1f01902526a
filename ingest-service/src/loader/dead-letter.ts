import { appendFile } from 'node:fs/promises';
import type { QueuedEvent } from '../queue/event-queue.js';

/** Where events that cannot be loaded go, with the reason, so the rest keep flowing. */
export interface DeadLetterSink {
  send(events: QueuedEvent[], reason: string): Promise<void>;
}

/** Embedded mode: one JSON line per event in `<dataDir>/dead-letter.ndjson`, fsync'd by append. */
export function createFileDeadLetterSink(file: string): DeadLetterSink {
  return {
    async send(events, reason) {
      const at = new Date().toISOString();
      const lines = events.map((e) => JSON.stringify({ at, reason, dedupKey: e.dedupKey, partitionKey: e.partitionKey, row: e.row.toString('utf8') }) + '\n');
      await appendFile(file, lines.join(''), { flush: true });
    },
  };
}
