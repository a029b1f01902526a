/**
 * One POST of a batch body. The body is JSON sent as text/plain without custom headers: a CORS
 * "simple request" (no preflight round trip) and the only kind `sendBeacon` can send; the write key
 * travels in the body. Resolves with the HTTP status, 0 when no answer came (offline, blocked by an
 * extension, CORS refused), or -1 when handed to `sendBeacon` (the outcome is never known).
 * Never throws and never rejects.
 */
export function sendBatch(url: string, body: string, beacon: boolean): Promise<number> {
  try {
    if (beacon && navigator.sendBeacon && navigator.sendBeacon(url, body)) return Promise.resolve(-1);
    // keepalive: the request outlives the page (capped by browsers at 64 KB in flight; batches are smaller).
    return fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit' }).then(
      (res) => res.status,
      () => 0,
    );
  } catch {
    return Promise.resolve(0);
  }
}

/** Retry delay after `attempt` failures: doubling from `min` up to `max`, with "equal jitter" (half fixed, half random). */
export function backoffDelay(attempt: number, min: number, max: number, random = Math.random()): number {
  const d = Math.min(max, min * 2 ** (attempt - 1));
  return d / 2 + (random * d) / 2;
}

/** What to do with a batch after an answer: `done` (stored, or refused for good) or `retry`. */
export function outcome(status: number): 'done' | 'retry' {
  return (status >= 200 && status < 300) || (status >= 400 && status < 500 && status != 408 && status != 429) ? 'done' : 'retry';
}
