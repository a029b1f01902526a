import { SextantError } from '../errors.js';

/** The queue cannot take events right now (Kafka unreachable or too slow): retry later (503). */
export class QueueUnavailableError extends SextantError {
  constructor(message: string, readonly retryAfterSeconds = 5) {
    super('QUEUE_UNAVAILABLE', message, 503, true);
  }
}
