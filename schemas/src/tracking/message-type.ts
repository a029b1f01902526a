/** The six Segment message types, in the order of the Tracking API docs. */
export const MESSAGE_TYPES = ['track', 'page', 'screen', 'identify', 'alias', 'group'] as const;

export type MessageType = (typeof MESSAGE_TYPES)[number];

const messageTypeSet: ReadonlySet<string> = new Set(MESSAGE_TYPES);

/** True when `value` names a message type; use it to pick the validator for a batch element. */
export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && messageTypeSet.has(value);
}
