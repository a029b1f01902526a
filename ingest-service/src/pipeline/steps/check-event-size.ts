import type { EventDraft, IngestRequest } from '../ingest-request.js';
import { ok, reject, type StepResult } from '../step-result.js';

/** Segment's limit: one event may be at most 32 KB of JSON. */
export function createCheckEventSizeStep(deps: { maxEventBytes: number }) {
  return (draft: EventDraft, request: IngestRequest): StepResult<EventDraft> => {
    // A body under the limit cannot hold an event over it: skip the re-serialisation on the hot path.
    if (request.bodyBytes <= deps.maxEventBytes) return ok(draft);
    const bytes = Buffer.byteLength(JSON.stringify(draft.message));
    if (bytes > deps.maxEventBytes) {
      return reject('EVENT_TOO_LARGE', `the event is ${bytes} bytes; the limit is ${deps.maxEventBytes} bytes`);
    }
    return ok(draft);
  };
}
