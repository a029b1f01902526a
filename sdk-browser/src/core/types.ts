/** The shapes the SDK sends: Segment's Tracking API messages (https://segment.com/docs/connections/spec/common/). */

export type Properties = Record<string, unknown>;
export type Traits = Record<string, unknown>;

export type MessageType = 'track' | 'page' | 'identify' | 'alias' | 'group';

export interface Message {
  type: MessageType;
  /** Generated once per call; every retry carries the same id, so the server stores the event once. */
  messageId: string;
  /** Device time of the call (ISO 8601); the server corrects it for clock skew with the batch's `sentAt`. */
  timestamp: string;
  anonymousId: string;
  userId?: string;
  context: Record<string, unknown>;
  event?: string;
  name?: string;
  properties?: Properties;
  traits?: Traits;
  groupId?: string;
  previousId?: string;
}

/** Per-call options (Segment's `options` argument): extra context and an explicit time. */
export interface CallOptions {
  context?: Record<string, unknown>;
  timestamp?: Date | string;
}

export interface ConsentChoice {
  analytics?: boolean;
  marketing?: boolean;
}

export interface LoadOptions {
  /** Origin of the tracking API. Default: where the script was served from (snippet), else the page's origin. */
  host?: string;
  /** Path of the batch endpoint on `host`. Default `/v1/batch`; any neutral path a proxy maps to it. */
  path?: string;
  /** Send when this many events wait (default 20). */
  flushAt?: number;
  /** ...or this many milliseconds after the first of them (default 1000). */
  flushInterval?: number;
  /** Most events kept while the API cannot be reached; the oldest are dropped beyond it (default 500). */
  maxQueueSize?: number;
  /** First retry delay and its cap in ms; the delay doubles with jitter (defaults 1000 and 60000). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** A `page` event on load and on single-page-app navigation (default true). */
  autoPage?: boolean;
  /** Link/button clicks and form submits (default false). Never input values. */
  autocapture?: boolean | { clicks?: boolean; forms?: boolean };
  /** Consent mode: store and send nothing until `consent({ analytics: true })` (default false). */
  requireConsent?: boolean;
  /** Do-Not-Track: send nothing when the browser asks so; Global Privacy Control turns marketing off (default false). */
  respectDnt?: boolean;
  /** Share the ids across subdomains: cookies on the top-most domain the browser accepts (default false). */
  crossSubdomain?: boolean;
  /** An explicit cookie domain such as `.shop.example` (wins over `crossSubdomain`). */
  cookieDomain?: string;
  /** Idle minutes after which a new session starts (default 30). */
  sessionTimeout?: number;
  /** Warnings in the console (dropped events, storage failures). */
  debug?: boolean;
}
