import type { z } from 'zod';
import { ConnectorError } from './errors.js';
import type { GraphClient, GraphClientOptions } from './graph/graph-client.js';
import type { CapiUserIdentity } from './identifiers/hash-identifiers.js';
import type { AudienceMember } from './identifiers/member.js';

/** One batch the audience runner hands a connector. */
export interface AudienceBatch {
  action: 'add' | 'remove' | 'replace';
  members: AudienceMember[];
  /** Upload session for multi-batch uploads (meta.md §1.5); `seq` starts at 1. */
  session?: { id: string; seq: number; last: boolean; estimatedTotal?: number };
}

export interface MemberFailure {
  personId: string;
  code: string;
  message: string;
}

/** What one batch did; the runner sums these into the run history. */
export interface BatchResult {
  /** Members handed to the platform (rows uploaded, messages accepted). */
  sent: number;
  /** Identifiers that could not be normalised (skipped, counted). */
  invalidIdentifiers: number;
  /** Members with nothing to send (no usable identifier, no opt-in, no phone). */
  skipped: number;
  /** Members not sent now because of quiet hours; the runner keeps them for the next run. */
  deferred: string[];
  failed: MemberFailure[];
  /** Platform statistics where reported (`num_received`, `num_invalid_entries`). */
  platformReceived?: number;
  platformInvalid?: number;
  /** Members certainly not handed to the platform (skipped, deferred, or rejected before sending). */
  notAttempted?: string[];
  /** Per member, the platform's id for what was sent (WhatsApp `wamid`). */
  messageIds?: Record<string, string>;
  /** Per member, where the message went (phone digits with country code). */
  recipients?: Record<string, string>;
}

export const emptyBatchResult = (): BatchResult => ({ sent: 0, invalidIdentifiers: 0, skipped: 0, deferred: [], failed: [] });

export interface ConnectorContext<S> {
  settings: S;
  graph: GraphClient;
  /** State kept between runs for this destination (e.g. the audience id it created). */
  state: Record<string, string>;
  now?: () => Date;
}

/**
 * One destination (STYLE.md §8): its settings schema, which settings are secrets (encrypted at rest,
 * never returned or logged), and the functions that call the remote API.
 */
export interface DestinationDefinition<S = any> {
  id: string;
  name: string;
  description: string;
  kind: 'audience' | 'message' | 'events';
  settingsSchema: z.ZodType<S>;
  secretFields: readonly string[];
  /** Largest batch `syncBatch` accepts. */
  maxBatchSize: number;
  supportsReplace: boolean;
  /** True when a member must never be sent twice for the same campaign (messages). */
  oncePerCampaign: boolean;
  /** Graph client options taken from the settings (token, base URL, version). */
  graphOptions(settings: S): GraphClientOptions;
  /** Verifies the remote side answers with these credentials; throws a {@link ConnectorError}. */
  testConnection(ctx: ConnectorContext<S>): Promise<{ ok: true; message: string }>;
  /** Creates or finds what the destination writes to; returns state to keep (e.g. `audienceId`). */
  prepare?(ctx: ConnectorContext<S>): Promise<Record<string, string>>;
  /** Audience and message destinations: one batch of adds/removes/replace rows. */
  syncBatch?(ctx: ConnectorContext<S>, batch: AudienceBatch): Promise<BatchResult>;
  /** Event destinations (Conversions API): forward tracked events. */
  sendEvents?(ctx: ConnectorContext<S>, events: TrackedEvent[]): Promise<EventsResult>;
}

/** A Segment-shaped tracked event as stored by ingest (the fields the Conversions API needs). */
export interface TrackedEvent {
  messageId: string;
  event: string;
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown> & { ip?: string; userAgent?: string; fbc?: string; fbp?: string; page?: { url?: string }; traits?: Record<string, unknown> };
  traits?: Record<string, unknown>;
  /** The person's identifiers from the profile store; the event's own traits win over them. */
  identity?: Partial<CapiUserIdentity>;
}

export interface EventsResult {
  received: number;
  sent: number;
  /** Events not forwarded: not configured, too old (7 days), or rejected by Meta on their own. */
  dropped: { messageId: string; reason: string }[];
  invalidIdentifiers: number;
}

/** Parses settings with the definition's schema; a clear `INVALID_SETTINGS` error otherwise. */
export function validateConfig<S>(definition: DestinationDefinition<S>, input: unknown): S {
  const parsed = definition.settingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new ConnectorError('INVALID_SETTINGS', `${definition.name} settings are not valid: ${issues}`);
}
