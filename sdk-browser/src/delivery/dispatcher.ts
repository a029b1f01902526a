import type { Message } from '../core/types.js';
import type { PersistedQueue } from './persisted-queue.js';
import { backoffDelay, outcome, sendBatch } from './send-batch.js';

export interface DispatcherOptions {
  url: string;
  writeKey: string;
  flushAt: number;
  flushInterval: number;
  retryMinMs: number;
  retryMaxMs: number;
  queue: PersistedQueue;
  warn(message: string, detail?: unknown): void;
}

/** Segment's limit is 32 KB per event; bigger events are dropped here rather than stored forever. */
export const MAX_EVENT_BYTES = 32_000;
/** Under the 64 KB browsers allow for keepalive/beacon requests in flight, so every batch can outlive the page. */
export const MAX_BATCH_BYTES = 60_000;

/**
 * Sends the queue in batches: when `flushAt` events wait, or `flushInterval` ms after the first; one
 * request at a time while the page lives; retries with exponential backoff and jitter on 5xx, 408,
 * 429 and network failures (an event keeps its `messageId`, so a retry the server already has is
 * stored once); drops batches the server refuses for good (other 4xx). While the browser is offline
 * nothing is sent until it is back. When the page is hidden or left, what is not yet on its way goes
 * at once (fetch with keepalive, or sendBeacon on `pagehide`); it stays in the persisted queue until
 * acknowledged, so the next page view resends what may not have arrived.
 */
export function createDispatcher(o: DispatcherOptions) {
  const q = o.queue;
  const sending: Record<string, 1 | 2> = {}; // 1: in a request, 2: handed to sendBeacon
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  const encoder = new TextEncoder();
  const unsent = () => q.items.filter((m) => !sending[m.messageId]);

  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(flush, ms);
  };

  function maybeFlush() {
    if (attempt) return; // a retry is scheduled
    const n = unsent().length;
    if (n >= o.flushAt) flush();
    else if (n && !timer) timer = setTimeout(flush, o.flushInterval);
  }

  /** mode 0: normal; 1: page hidden (keepalive fetch); 2: page left (sendBeacon first). */
  function flush(mode: 0 | 1 | 2 = 0) {
    clearTimeout(timer);
    timer = undefined;
    const items = unsent();
    if (!items.length || (!mode && (Object.keys(sending).length || navigator.onLine === false))) return;
    const batch: Message[] = [];
    let bytes = 100;
    for (const m of items) {
      const size = encoder.encode(JSON.stringify(m)).length + 1;
      if (batch.length && bytes + size > MAX_BATCH_BYTES) break;
      batch.push(m);
      bytes += size;
    }
    const ids = batch.map((m) => m.messageId);
    for (const id of ids) sending[id] = 1;
    const body = JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey: o.writeKey });
    void sendBatch(o.url, body, mode == 2).then((status) => {
      if (status < 0) {
        for (const id of ids) sending[id] = 2;
        return;
      }
      for (const id of ids) delete sending[id];
      if (outcome(status) == 'done') {
        if (status >= 300 || status == 207) o.warn('events refused by the server (' + status + ')', ids);
        attempt = 0;
        q.remove(ids);
        // What is left has waited already (or came meanwhile): on its way at once, one request at a time.
        flush();
      } else {
        attempt++;
        schedule(backoffDelay(attempt, o.retryMinMs, o.retryMaxMs));
      }
    });
    // The page is going away: everything else too, while it still can.
    if (mode && items.length > batch.length) flush(mode);
  }

  return {
    add(m: Message) {
      if (encoder.encode(JSON.stringify(m)).length > MAX_EVENT_BYTES) return o.warn('event over 32 KB dropped', m.event || m.type);
      q.add(m);
      maybeFlush();
    },
    flush,
    /** Back online, or the page shown again: retry now, and resend what went by beacon. */
    wake() {
      for (const id in sending) if (sending[id] == 2) delete sending[id];
      attempt = 0;
      flush();
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
