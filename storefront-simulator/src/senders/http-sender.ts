/**
 * Sends simulated messages through the real tracking API: `POST /v1/batch` with the write key as the
 * Basic-auth username, a few requests in flight, retries on 503/429/5xx and network errors (honouring
 * `Retry-After`), and counts of what the API acknowledged. The counts are the API's: `sent` is what
 * it answered 2xx for (so what it stores), `rejected` what it refused per event.
 */
import type { SimMessage } from '../journeys/sim-message.js';

export interface HttpSenderOptions {
  /** e.g. `http://127.0.0.1:8080` */
  host: string;
  writeKey: string;
  /** Messages per request (Segment's libraries send up to 100). */
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Tries after the first before a batch counts as failed. */
  maxRetries?: number;
  timeoutMs?: number;
  /** Called after each answered request. */
  onProgress?: (stats: SendStats) => void;
  /** Longest wait between tries (ms); Retry-After is capped by it too. */
  maxBackoffMs?: number;
}

export interface SendStats {
  /** Events the API acknowledged (2xx, minus per-event rejections): what it stores. */
  sent: number;
  /** Events the API refused (4xx for the batch, or listed in a 207). */
  rejected: number;
  /** Events given up on after the retries (network down, 503 for too long). */
  failed: number;
  requests: number;
  retries: number;
  /** The first few reasons for rejections and failures. */
  problems: string[];
}

export interface HttpSender {
  /** Queues a message; resolves once it fits (back-pressure: waits when `concurrency` requests are in flight). */
  send(message: SimMessage): Promise<void>;
  /** Sends what is queued now, without waiting for a full batch. */
  flush(): Promise<void>;
  /** Sends the rest and waits for every answer. */
  close(): Promise<SendStats>;
  readonly stats: SendStats;
}

export class HttpSendError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'HttpSendError';
  }
}

const MAX_BODY_BYTES = 450 * 1024; // under the API's 500 KB batch limit

export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const url = `${options.host.replace(/\/+$/, '')}/v1/batch`;
  const authorization = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;
  const batchSize = options.batchSize ?? 100;
  const concurrency = options.concurrency ?? 4;
  const maxRetries = options.maxRetries ?? 8;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBackoffMs = options.maxBackoffMs ?? 15_000;
  const stats: SendStats = { sent: 0, rejected: 0, failed: 0, requests: 0, retries: 0, problems: [] };
  const inFlight = new Set<Promise<void>>();
  let fatal: Error | undefined;
  let parts: string[] = [];
  let bytes = 0;

  const problem = (text: string) => {
    if (stats.problems.length < 10) stats.problems.push(text);
  };

  async function post(batch: string[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let body: unknown;
      let retryAfter: string | null = null;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          // sentAt is the batch's send time: the API corrects event times for device clock skew with it.
          body: `{"sentAt":"${new Date().toISOString()}","batch":[${batch.join(',')}]}`,
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        retryAfter = res.headers.get('retry-after');
        const text = await res.text();
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      } catch (err) {
        body = err instanceof Error ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ''}` : String(err);
      }
      stats.requests += 1;
      if (status === 200) {
        stats.sent += batch.length;
      } else if (status === 207) {
        const answer = body as { accepted?: number; rejected?: { code?: string; message?: string }[] };
        const rejected = answer.rejected?.length ?? 0;
        stats.sent += answer.accepted ?? batch.length - rejected;
        stats.rejected += rejected;
        for (const r of answer.rejected ?? []) problem(`rejected: ${r.code}: ${r.message}`);
      } else if (status === 401 || status === 403) {
        fatal = new HttpSendError(`the tracking API at ${url} refused the write key (${status}): ${JSON.stringify(body)}`, status);
        stats.failed += batch.length;
      } else if (status >= 400 && status < 500 && status !== 429 && status !== 408) {
        stats.rejected += batch.length;
        problem(`${status}: ${JSON.stringify(body).slice(0, 300)}`);
      } else if (attempt < maxRetries && !fatal) {
        // 503 (queue full), 429, 5xx, timeouts, connection errors: wait and try again.
        stats.retries += 1;
        const hinted = retryAfter !== null && /^\d+(\.\d+)?$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
        await sleep(Math.min(maxBackoffMs, hinted ?? 250 * 2 ** attempt));
        continue;
      } else {
        stats.failed += batch.length;
        problem(`gave up after ${attempt + 1} tries: ${status || 'no answer'} ${JSON.stringify(body).slice(0, 300)}`);
      }
      options.onProgress?.(stats);
      return;
    }
  }

  async function dispatch(): Promise<void> {
    if (parts.length === 0) return;
    const batch = parts;
    parts = [];
    bytes = 0;
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (fatal) throw fatal;
    const request = post(batch).finally(() => inFlight.delete(request));
    inFlight.add(request);
  }

  return {
    stats,
    async send(message) {
      if (fatal) throw fatal;
      const json = JSON.stringify(message);
      if (bytes + json.length + 1 > MAX_BODY_BYTES) await dispatch();
      parts.push(json);
      bytes += json.length + 1;
      if (parts.length >= batchSize) await dispatch();
    },
    flush: dispatch,
    async close() {
      await dispatch();
      while (inFlight.size > 0) await Promise.race(inFlight);
      if (fatal) throw fatal;
      return stats;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
