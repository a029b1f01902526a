import { validateTrackingMessage } from '@sextant/schemas';
import type { EventDraft } from '../ingest-request.js';
import { ok, reject, type StepResult } from '../step-result.js';

/** Checks the message against the JSON Schema of its type (and its e-commerce event, if it is one). */
export function createValidateMessageStep() {
  return (draft: EventDraft): StepResult<EventDraft> => {
    const result = validateTrackingMessage(draft.message, draft.type);
    if (result.ok) return ok(draft);
    const first = result.errors[0];
    const message = first ? `${first.path || '/'} ${first.message}` : 'the event does not match its schema';
    return reject('INVALID_EVENT', message, { errors: result.errors });
  };
}
