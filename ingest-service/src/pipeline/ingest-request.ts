import type { MessageType } from '@sextant/schemas';

/** What the pipeline knows about the request an event arrived in. */
export interface IngestRequest {
  sourceId: string;
  receivedAtMs: number;
  /** `receivedAtMs` as a ClickHouse DateTime64 literal, formatted once per request. */
  receivedAt: string;
  /** Client IP as resolved by Fastify (trust-proxy aware). */
  requestIp: string;
  userAgentHeader: string | undefined;
  /** Batch-level `context` and `sentAt`, applied to events that lack them. */
  batchContext: Record<string, unknown> | undefined;
  batchSentAt: string | undefined;
  /** The body size; when it is under the per-event limit, no event can exceed it. */
  bodyBytes: number;
  anonymizeIp: boolean;
}

/** An event moving through the pipeline: the message as sent, its type, and what was derived so far. */
export interface EventDraft {
  message: Record<string, unknown>;
  type: MessageType;
}
