import { SextantError } from '../errors.js';

/** The queue holds as much as it may: the client should retry after a pause (HTTP 503 + Retry-After). */
export class QueueFullError extends SextantError {
  constructor(readonly retryAfterSeconds: number) {
    super('QUEUE_FULL', 'the ingest queue is full; retry after a pause', 503, true);
  }
}
