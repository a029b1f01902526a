import { describe, expect, it } from 'vitest';
import { touchSession, type Session } from './session.js';

const MIN = 60_000;
const T = 1_717_236_000_000;

describe('touchSession', () => {
  it.each<{ name: string; prev: Session | undefined; now: number; expected: { session: Session; started: boolean } }>([
    { name: 'the first event starts a session', prev: undefined, now: T, expected: { session: { id: T, last: T }, started: true } },
    { name: 'activity within 30 minutes continues it', prev: { id: T, last: T }, now: T + 29 * MIN, expected: { session: { id: T, last: T + 29 * MIN }, started: false } },
    { name: 'exactly 30 idle minutes still continue it', prev: { id: T, last: T + MIN }, now: T + 31 * MIN, expected: { session: { id: T, last: T + 31 * MIN }, started: false } },
    { name: 'more than 30 idle minutes start a new one', prev: { id: T, last: T }, now: T + 30 * MIN + 1, expected: { session: { id: T + 30 * MIN + 1, last: T + 30 * MIN + 1 }, started: true } },
    { name: 'a long but active session goes on', prev: { id: T - 5 * 60 * MIN, last: T - MIN }, now: T, expected: { session: { id: T - 5 * 60 * MIN, last: T }, started: false } },
    { name: 'an earlier event (replayed call) does not move the last activity back', prev: { id: T, last: T + MIN }, now: T + 10, expected: { session: { id: T, last: T + MIN }, started: false } },
    { name: 'a corrupt stored session is replaced', prev: { id: T } as Session, now: T + 5, expected: { session: { id: T + 5, last: T + 5 }, started: true } },
  ])('$name', ({ prev, now, expected }) => {
    expect(touchSession(prev, now, 30 * MIN)).toEqual(expected);
  });
});
