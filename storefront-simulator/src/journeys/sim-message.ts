/**
 * What the simulator produces: Segment Tracking API messages, exactly as a storefront's browser SDK
 * (or its backend, for refunds and reviews) would send them to `POST /v1/batch`.
 */
export type SimMessageType = 'track' | 'page' | 'identify';

export interface SimMessage {
  type: SimMessageType;
  messageId: string;
  anonymousId?: string;
  userId?: string;
  /** ISO-8601 UTC, when the shopper did it. */
  timestamp: string;
  event?: string;
  name?: string;
  category?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context: Record<string, unknown>;
}

export const LIBRARY = { name: 'sextant-storefront-simulator', version: '0.1.0' } as const;

/** Events sent by the storefront's backend (no browser context): refunds, reviews from the reviews app. */
export const SERVER_LIBRARY = { name: 'sextant-storefront-backend', version: '0.1.0' } as const;

