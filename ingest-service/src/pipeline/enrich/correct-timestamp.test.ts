import { describe, expect, it } from 'vitest';
import {
  correctTimestamp,
  parseIsoTimestamp,
  type CorrectedTimestamps,
  type TimestampInput,
} from './correct-timestamp.js';

/** 2024-01-15T12:00:00.000Z, when the server received the request. */
const RECEIVED = 1_705_320_000_000;
const SECOND = 1_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe('correctTimestamp', () => {
  it.each<{ name: string; input: Omit<TimestampInput, 'receivedAtMs'>; expected: CorrectedTimestamps }>([
    {
      name: 'no client time: the event happened when received',
      input: {},
      expected: { timestampMs: RECEIVED, originalTimestampMs: null, sentAtMs: null },
    },
    {
      name: 'timestamp without sentAt is taken as is',
      input: { timestamp: '2024-01-15T11:59:00.000Z' },
      expected: { timestampMs: RECEIVED - 60 * SECOND, originalTimestampMs: RECEIVED - 60 * SECOND, sentAtMs: null },
    },
    {
      name: 'an accurate clock needs no correction',
      input: { timestamp: '2024-01-15T11:59:50.000Z', sentAt: '2024-01-15T12:00:00.000Z' },
      expected: { timestampMs: RECEIVED - 10 * SECOND, originalTimestampMs: RECEIVED - 10 * SECOND, sentAtMs: RECEIVED },
    },
    {
      name: 'a device clock one hour fast is corrected by the time the event waited on the device',
      input: { timestamp: '2024-01-15T12:59:50.000Z', sentAt: '2024-01-15T13:00:00.000Z' },
      expected: { timestampMs: RECEIVED - 10 * SECOND, originalTimestampMs: RECEIVED + HOUR - 10 * SECOND, sentAtMs: RECEIVED + HOUR },
    },
    {
      name: 'a device clock two days slow is corrected',
      input: { timestamp: '2024-01-13T11:58:30.250Z', sentAt: '2024-01-13T12:00:00.000Z' },
      expected: { timestampMs: RECEIVED - 89_750, originalTimestampMs: RECEIVED - 2 * DAY - 89_750, sentAtMs: RECEIVED - 2 * DAY },
    },
    {
      name: 'events queued offline for hours keep their real time',
      input: { timestamp: '2024-01-15T09:00:00.000Z', sentAt: '2024-01-15T12:00:05.000Z' },
      expected: { timestampMs: RECEIVED - 3 * HOUR - 5 * SECOND, originalTimestampMs: RECEIVED - 3 * HOUR, sentAtMs: RECEIVED + 5 * SECOND },
    },
    {
      name: "RudderStack's originalTimestamp is used when timestamp is absent",
      input: { originalTimestamp: '2024-01-15T12:30:00.000Z', sentAt: '2024-01-15T12:30:02.000Z' },
      expected: { timestampMs: RECEIVED - 2 * SECOND, originalTimestampMs: RECEIVED + 30 * 60 * SECOND, sentAtMs: RECEIVED + 1_802_000 },
    },
    {
      name: 'timestamp wins over originalTimestamp',
      input: { timestamp: '2024-01-15T11:00:00.000Z', originalTimestamp: '2024-01-15T11:30:00.000Z' },
      expected: { timestampMs: RECEIVED - HOUR, originalTimestampMs: RECEIVED - HOUR, sentAtMs: null },
    },
    {
      name: 'an unparseable timestamp falls back to originalTimestamp',
      input: { timestamp: 'yesterday', originalTimestamp: '2024-01-15T11:00:00.000Z' },
      expected: { timestampMs: RECEIVED - HOUR, originalTimestampMs: RECEIVED - HOUR, sentAtMs: null },
    },
    {
      name: 'an unparseable sentAt means no correction',
      input: { timestamp: '2024-01-15T12:59:50.000Z', sentAt: 'soon' },
      expected: { timestampMs: RECEIVED + HOUR - 10 * SECOND, originalTimestampMs: RECEIVED + HOUR - 10 * SECOND, sentAtMs: null },
    },
    {
      name: 'sentAt without a client time changes nothing but is reported',
      input: { sentAt: '2024-01-15T12:00:01.000Z' },
      expected: { timestampMs: RECEIVED, originalTimestampMs: null, sentAtMs: RECEIVED + SECOND },
    },
    {
      name: 'a historical import with an accurate sentAt keeps its date',
      input: { timestamp: '2020-03-01T08:00:00.000Z', sentAt: '2024-01-15T12:00:00.000Z' },
      expected: { timestampMs: Date.UTC(2020, 2, 1, 8), originalTimestampMs: Date.UTC(2020, 2, 1, 8), sentAtMs: RECEIVED },
    },
    {
      name: 'offsets are applied',
      input: { timestamp: '2024-01-15T17:30:00+05:30' },
      expected: { timestampMs: RECEIVED, originalTimestampMs: RECEIVED, sentAtMs: null },
    },
    {
      name: 'exactly one day ahead is kept',
      input: { timestamp: '2024-01-16T12:00:00.000Z' },
      expected: { timestampMs: RECEIVED + DAY, originalTimestampMs: RECEIVED + DAY, sentAtMs: null },
    },
    {
      name: 'more than one day ahead is set to receivedAt',
      input: { timestamp: '2024-01-16T12:00:00.001Z' },
      expected: { timestampMs: RECEIVED, originalTimestampMs: RECEIVED + DAY + 1, sentAtMs: null },
    },
    {
      name: 'a future time after correction is set to receivedAt (sentAt far in the past)',
      input: { timestamp: '2024-01-15T12:00:00.000Z', sentAt: '2024-01-10T12:00:00.000Z' },
      expected: { timestampMs: RECEIVED, originalTimestampMs: RECEIVED, sentAtMs: RECEIVED - 5 * DAY },
    },
    {
      name: 'a device clock years ahead is corrected, not clamped, when sentAt is present',
      input: { timestamp: '2030-01-15T11:59:59.000Z', sentAt: '2030-01-15T12:00:00.000Z' },
      expected: {
        timestampMs: RECEIVED - SECOND,
        originalTimestampMs: Date.UTC(2030, 0, 15, 11, 59, 59),
        sentAtMs: Date.UTC(2030, 0, 15, 12),
      },
    },
  ])('$name', ({ input, expected }) => {
    expect(correctTimestamp({ ...input, receivedAtMs: RECEIVED })).toEqual(expected);
  });
});

describe('parseIsoTimestamp', () => {
  it.each<{ value: string | undefined; expected: number | null }>([
    { value: '2024-01-15T12:00:00.000Z', expected: RECEIVED },
    { value: '2024-01-15T12:00:00Z', expected: RECEIVED },
    { value: '2024-01-15t12:00:00z', expected: RECEIVED },
    { value: '2024-01-15T12:00Z', expected: RECEIVED },
    { value: '2024-01-15 12:00:00Z', expected: RECEIVED },
    { value: '  2024-01-15T12:00:00Z  ', expected: RECEIVED },
    { value: '2024-01-15T12:00:00', expected: RECEIVED }, // no offset: UTC, never the server's zone
    { value: '2024-01-15', expected: RECEIVED - 12 * HOUR },
    { value: '2024-01-15T12:00:00.5Z', expected: RECEIVED + 500 },
    { value: '2024-01-15T12:00:00.123456Z', expected: RECEIVED + 123 }, // microseconds truncated
    { value: '2024-01-15T12:00:00,25Z', expected: RECEIVED + 250 },
    { value: '2024-01-15T07:00:00-05:00', expected: RECEIVED },
    { value: '2024-01-15T17:30:00+0530', expected: RECEIVED },
    { value: '2024-01-15T14:00:00+02', expected: RECEIVED },
    { value: '2024-02-29T00:00:00Z', expected: Date.UTC(2024, 1, 29) },
    { value: '0050-06-01T00:00:00Z', expected: -60576249600000 }, // not 1950: Date.UTC maps 0-99 to 19xx
    { value: '2023-02-29T00:00:00Z', expected: null },
    { value: '2024-02-30T00:00:00Z', expected: null },
    { value: '2024-13-01T00:00:00Z', expected: null },
    { value: '2024-01-15T24:00:00Z', expected: null },
    { value: '2024-01-15T12:60:00Z', expected: null },
    { value: '2024-01-15T12:00:60Z', expected: null },
    { value: '2024-01-15T12:00:00+24:00', expected: null },
    { value: '1', expected: null },
    { value: '1705320000000', expected: null },
    { value: 'Mon, 15 Jan 2024 12:00:00 GMT', expected: null },
    { value: '', expected: null },
    { value: undefined, expected: null },
  ])('$value → $expected', ({ value, expected }) => {
    expect(parseIsoTimestamp(value)).toBe(expected);
  });
});
