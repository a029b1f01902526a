import type { MessageType } from '@sextant/schemas';
import type { ErrorCode } from '../errors.js';
import type { AcceptedEvent } from '../queue/event-queue.js';
import type { IngestRequest } from './ingest-request.js';
import { createBuildEventRowStep } from './steps/build-event-row.js';
import { createCheckEventSizeStep } from './steps/check-event-size.js';
import { createValidateMessageStep } from './steps/validate-message.js';

/** One rejected event of a request: its position in the batch and why. */
export interface RejectedEvent {
  index: number;
  messageId?: string;
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export interface ProcessedMessages {
  accepted: AcceptedEvent[];
  acceptedTypes: MessageType[];
  rejected: RejectedEvent[];
}

/**
 * The ingestion pipeline, one event at a time: size → schema → normalise + enrich + serialise.
 * Each step either passes the event on or rejects it with a code; a rejected event never stops the
 * others.
 */
export function createMessagePipeline(deps: { maxEventBytes: number }) {
  const checkSize = createCheckEventSizeStep(deps);
  const validate = createValidateMessageStep();
  const buildRow = createBuildEventRowStep();

  return (messages: { message: Record<string, unknown>; type: MessageType }[], request: IngestRequest): ProcessedMessages => {
    const out: ProcessedMessages = { accepted: [], acceptedTypes: [], rejected: [] };
    messages.forEach((draft, index) => {
      const sized = checkSize(draft, request);
      const valid = sized.ok ? validate(sized.value) : sized;
      const built = valid.ok ? buildRow(valid.value, request) : valid;
      if (built.ok) {
        out.accepted.push(built.value);
        out.acceptedTypes.push(draft.type);
        return;
      }
      const messageId = typeof draft.message.messageId === 'string' ? draft.message.messageId : undefined;
      out.rejected.push({ index, ...(messageId ? { messageId } : {}), code: built.code, message: built.message, ...(built.details === undefined ? {} : { details: built.details }) });
    });
    return out;
  };
}
