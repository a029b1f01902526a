import { describe, expect, it } from 'vitest';
import type { AudienceRun } from './audience-state-store.js';
import { AudienceScheduler, validateCron, type ScheduledPair } from './audience-scheduler.js';

const fakeRun = (pair: ScheduledPair): AudienceRun => ({ runId: 'r', audienceId: pair.audienceId, destinationId: pair.destinationId, mode: 'diff', status: 'succeeded',
  startedAt: new Date().toISOString(), fromVersion: 0, toVersion: 1, added: 0, removed: 0, failed: 0, skippedConsent: 0, skipped: 0, skippedAlreadySent: 0,
  deferred: 0, invalidIdentifiers: 0, platformReceived: 0, platformInvalid: 0, failures: [] });

describe('audience scheduler', () => {
  it('rejects a bad cron expression with a readable message', () => {
    expect(() => validateCron('every tuesday')).toThrow(/not a valid cron expression/);
    expect(() => validateCron('0 */6 * * *', 'Europe/Berlin')).not.toThrow();
  });

  it('runs a pair now, never twice at once, and catches up a tick missed while down', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const scheduler = new AudienceScheduler({
      run: async (pair) => {
        calls += 1;
        await gate;
        return fakeRun(pair);
      },
      lastStartedAt: async () => new Date('2020-01-01T00:00:00Z'),
    });
    await scheduler.start([{ audienceId: 'a', destinationId: 'd', cron: '0 3 * * *' }]);
    expect(calls).toBe(1); // the missed 03:00 tick ran at start
    const again = scheduler.runNow('a', 'd');
    expect(calls).toBe(1);
    release();
    expect(await again).toBeUndefined();
    expect(scheduler.nextRun({ audienceId: 'a', destinationId: 'd' })).toBeInstanceOf(Date);
    const now = await scheduler.runNow('a', 'd', 'full');
    expect(now?.status).toBe('succeeded');
    expect(calls).toBe(2);
    await scheduler.stop();
  });
});
