/**
 * Types derived from the message schemas: the schemas are the single source.
 * Ids are typed `string | number | null` even where the "non-empty id" rule guarantees a value:
 * FromSchema cannot express "not null and not ''". Normalise with `String(id ?? '')`.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { batchMessageSchema, batchRequestSchema } from './batch-schema.js';
import type {
  aliasMessageSchema,
  groupMessageSchema,
  identifyMessageSchema,
  pageMessageSchema,
  screenMessageSchema,
  trackMessageSchema,
} from './message-schemas.js';

export type TrackMessage = FromSchema<typeof trackMessageSchema>;
export type PageMessage = FromSchema<typeof pageMessageSchema>;
export type ScreenMessage = FromSchema<typeof screenMessageSchema>;
export type IdentifyMessage = FromSchema<typeof identifyMessageSchema>;
export type AliasMessage = FromSchema<typeof aliasMessageSchema>;
export type GroupMessage = FromSchema<typeof groupMessageSchema>;

/** A message as accepted by a single-message endpoint (`type` may be absent). */
export type TrackingMessage =
  | TrackMessage
  | PageMessage
  | ScreenMessage
  | IdentifyMessage
  | AliasMessage
  | GroupMessage;

/** A batch element: a message whose `type` is present. */
export type BatchMessage = FromSchema<typeof batchMessageSchema>;

export type BatchRequest = FromSchema<typeof batchRequestSchema>;
