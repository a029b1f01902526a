import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPES, type MessageType } from './message-type.js';
import { validateBatchRequest, validateTrackingMessage } from './validate-event.js';

const base = { messageId: 'ajs-next-1f2e', anonymousId: 'anon-1', timestamp: '2024-05-01T12:30:00.250Z' };

/** A valid message of each type, as a single-message endpoint receives it (no `type`). */
const validByType: Record<MessageType, Record<string, unknown>> = {
  track: { ...base, event: 'Signed Up', properties: { plan: 'pro' } },
  page: { ...base, name: 'Home', category: 'Landing', properties: { url: 'https://shop.example/' } },
  screen: { ...base, name: 'Cart', properties: {} },
  identify: { ...base, userId: 'user-42', traits: { email: 'a@example.com' } },
  alias: { messageId: 'm-alias', userId: 'user-42', previousId: 'anon-1' },
  group: { ...base, groupId: 'acme', traits: { plan: 'enterprise' } },
};

function expectInvalidAt(result: ReturnType<typeof validateTrackingMessage>, path: string) {
  expect(result).toEqual({ ok: false, errors: [{ path, message: expect.any(String) }] });
}

describe('validateTrackingMessage', () => {
  it.each(MESSAGE_TYPES)('accepts a valid %s message', (type) => {
    expect(validateTrackingMessage(validByType[type], type)).toEqual({ ok: true });
  });

  it.each(MESSAGE_TYPES)('accepts a %s message that carries its own type', (type) => {
    expect(validateTrackingMessage({ ...validByType[type], type }, type)).toEqual({ ok: true });
  });

  it.each<[string, MessageType, Record<string, unknown>]>([
    ['a numeric userId', 'identify', { userId: 42 }],
    ['userId null next to an anonymousId (analytics.js anonymous identify)', 'identify', { userId: null, anonymousId: 'a' }],
    ['an empty userId next to an anonymousId (RudderStack)', 'track', { userId: '', anonymousId: 'a', event: 'E' }],
    ['a 255-character userId', 'track', { userId: 'u'.repeat(255), event: 'E' }],
    ['a timestamp with an offset and no fraction', 'page', { userId: 'u', timestamp: '2024-05-01T12:30:00+05:30' }],
    ['a timestamp with microseconds', 'page', { userId: 'u', timestamp: '2024-05-01T12:30:00.123456Z' }],
    ['originalTimestamp and sentAt', 'track', { userId: 'u', event: 'E', originalTimestamp: '2024-05-01T12:29:59Z', sentAt: '2024-05-01T12:30:00Z' }],
    ['unknown top-level fields', 'track', { userId: 'u', event: 'E', channel: 'browser', version: 2 }],
    ['an alias with numeric ids', 'alias', { userId: 7, previousId: 8 }],
    ['a non-spec event with any properties', 'track', { userId: 'u', event: 'Order Shipped', properties: { revenue: 'n/a' } }],
    ['an e-commerce event without properties', 'track', { userId: 'u', event: 'Order Completed' }],
  ])('accepts %s', (_name, type, message) => {
    expect(validateTrackingMessage(message, type)).toEqual({ ok: true });
  });

  it.each<[string, MessageType, unknown, string]>([
    ['no userId nor anonymousId', 'track', { event: 'E' }, ''],
    ['only empty ids', 'page', { userId: '', anonymousId: null }, ''],
    ['a group without any user', 'group', { groupId: 'g' }, ''],
    ['a track without event', 'track', { userId: 'u' }, '/event'],
    ['a track with an empty event', 'track', { userId: 'u', event: '' }, '/event'],
    ['an event name over 200 characters', 'track', { userId: 'u', event: 'e'.repeat(201) }, '/event'],
    ['a userId over 255 characters', 'track', { userId: 'u'.repeat(256), event: 'E' }, '/userId'],
    ['a userId of the wrong type', 'identify', { userId: true }, '/userId'],
    ['an empty messageId', 'track', { userId: 'u', event: 'E', messageId: '' }, '/messageId'],
    ['a messageId over 200 characters', 'track', { userId: 'u', event: 'E', messageId: 'm'.repeat(201) }, '/messageId'],
    ['properties as an array', 'track', { userId: 'u', event: 'E', properties: [] }, '/properties'],
    ['properties as null', 'page', { userId: 'u', properties: null }, '/properties'],
    ['traits as a string', 'identify', { userId: 'u', traits: 'vip' }, '/traits'],
    ['context as an array', 'track', { userId: 'u', event: 'E', context: [] }, '/context'],
    ['integrations as null', 'track', { userId: 'u', event: 'E', integrations: null }, '/integrations'],
    ['a timestamp without a time zone', 'track', { userId: 'u', event: 'E', timestamp: '2024-05-01T12:30:00' }, '/timestamp'],
    ['a timestamp that is not a date', 'track', { userId: 'u', event: 'E', timestamp: 'yesterday' }, '/timestamp'],
    ['a day that does not exist', 'track', { userId: 'u', event: 'E', timestamp: '2024-02-30T00:00:00Z' }, '/timestamp'],
    ['a numeric sentAt', 'track', { userId: 'u', event: 'E', sentAt: 1714566600000 }, '/sentAt'],
    ['a bad originalTimestamp', 'page', { userId: 'u', originalTimestamp: '01/05/2024' }, '/originalTimestamp'],
    ['a page name that is not a string', 'page', { userId: 'u', name: 5 }, '/name'],
    ['a screen category that is not a string', 'screen', { userId: 'u', category: {} }, '/category'],
    ['an alias without previousId', 'alias', { userId: 'u' }, '/previousId'],
    ['an alias without userId', 'alias', { previousId: 'p', anonymousId: 'a' }, '/userId'],
    ['an alias with an empty previousId', 'alias', { userId: 'u', previousId: '' }, '/previousId'],
    ['a group without groupId', 'group', { userId: 'u' }, '/groupId'],
    ['a type that contradicts the route', 'page', { userId: 'u', type: 'track' }, '/type'],
    ['a message that is not an object', 'track', [], ''],
    ['a message that is null', 'identify', null, ''],
    ['Order Completed with revenue "abc"', 'track', { userId: 'u', event: 'Order Completed', properties: { revenue: 'abc' } }, '/properties/revenue'],
    ['Order Completed with a bad currency', 'track', { userId: 'u', event: 'Order Completed', properties: { currency: 'EURO' } }, '/properties/currency'],
    ['Order Completed with products not an array', 'track', { userId: 'u', event: 'Order Completed', properties: { products: { sku: 'A' } } }, '/properties/products'],
    ['Product Added with a fractional quantity', 'track', { userId: 'u', event: 'Product Added', properties: { quantity: 1.5 } }, '/properties/quantity'],
    ['a product with a negative price', 'track', { userId: 'u', event: 'Cart Viewed', properties: { products: [{ price: 1 }, { price: -3 }] } }, '/properties/products/1/price'],
  ])('rejects %s', (_name, type, message, path) => {
    expectInvalidAt(validateTrackingMessage(message, type), path);
  });

  it('names both ids when neither is given', () => {
    expect(validateTrackingMessage({ event: 'E' }, 'track')).toEqual({
      ok: false,
      errors: [{ path: '', message: "must have a non-empty 'userId' or 'anonymousId'" }],
    });
  });

  it('reports an unknown type instead of throwing', () => {
    expectInvalidAt(validateTrackingMessage({ userId: 'u' }, 'bogus' as MessageType), '/type');
  });

  it('does not modify the message', () => {
    const message = { userId: 7, event: 'Order Completed', properties: { revenue: 10 } };
    const copy = structuredClone(message);
    validateTrackingMessage(message, 'track');
    expect(message).toEqual(copy);
  });
});

describe('validateBatchRequest', () => {
  const batch = MESSAGE_TYPES.map((type) => ({ ...validByType[type], type }));

  it.each<[string, unknown]>([
    ['every message type', { batch }],
    ['an empty batch', { batch: [] }],
    ['batch-level context, integrations, writeKey and sentAt', { batch, context: { library: { name: 'analytics-node' } }, integrations: {}, writeKey: 'wk', sentAt: '2024-05-01T12:30:01Z' }],
  ])('accepts %s', (_name, body) => {
    expect(validateBatchRequest(body)).toEqual({ ok: true });
  });

  it.each<[string, unknown, string]>([
    ['no batch', { context: {} }, '/batch'],
    ['batch not an array', { batch: {} }, '/batch'],
    ['an element without type', { batch: [batch[0], { userId: 'u', event: 'E' }] }, '/batch/1/type'],
    ['an element with an unknown type', { batch: [{ type: 'click', userId: 'u' }] }, '/batch/0/type'],
    ['an element that fails its own schema', { batch: [batch[0], { type: 'group', userId: 'u' }] }, '/batch/1/groupId'],
    ['an element that is not an object', { batch: ['track'] }, '/batch/0'],
    ['bad e-commerce properties in an element', { batch: [batch[0], { type: 'track', userId: 'u', event: 'Order Refunded', properties: { total: -5 } }] }, '/batch/1/properties/total'],
    ['a bad batch-level sentAt', { batch, sentAt: 'now' }, '/sentAt'],
    ['a body that is not an object', 'batch', ''],
  ])('rejects %s', (_name, body, path) => {
    expectInvalidAt(validateBatchRequest(body), path);
  });
});
