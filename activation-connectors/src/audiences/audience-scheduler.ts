import { Cron } from 'croner';
import { AudienceBusyError } from './run-audience-sync.js';
import type { AudienceRun } from './audience-state-store.js';

/** One scheduled audience → destination pair (its cron expression, evaluated in `timezone`). */
export interface ScheduledPair {
  audienceId: string;
  destinationId: string;
  cron: string;
  timezone?: string;
  /** `full` runs a full refresh on this schedule; `diff` (default) sends only changes. */
  mode?: 'diff' | 'full';
}

export interface AudienceSchedulerOptions<R = AudienceRun> {
  /** Runs one pair now (wraps `runAudienceSync` with the stores and connectors). */
  run: (pair: ScheduledPair, mode: 'diff' | 'full') => Promise<R>;
  /** When the pair last started a run (from the run history), for catching up after a restart. */
  lastStartedAt: (pair: ScheduledPair) => Promise<Date | undefined>;
  onError?: (pair: ScheduledPair, err: unknown) => void;
}

/** Throws a readable message for a bad cron expression (admin API input). */
export function validateCron(expression: string, timezone?: string): void {
  try {
    new Cron(expression, { paused: true, ...(timezone ? { timezone } : {}) }).stop();
  } catch (err) {
    throw new Error(`"${expression}" is not a valid cron expression: ${(err as Error).message}`);
  }
}

/**
 * Cron schedules for audience syncs (croner). Survives restarts: schedules live with the audiences
 * and are loaded again by `start`, and a pair whose last run is older than its previous scheduled
 * time runs once at start (a tick missed while the process was down). Overlap is impossible: croner
 * skips a tick while the previous one runs (`protect`), and the runner's store lock covers other
 * processes and "run now".
 */
export class AudienceScheduler<R = AudienceRun> {
  private readonly jobs = new Map<string, { pair: ScheduledPair; cron: Cron }>();
  private readonly running = new Map<string, Promise<R | undefined>>();

  /** Also schedules Conversions API feeds (one "pair" per feed), so both share catch-up and overlap rules. */
  constructor(private readonly o: AudienceSchedulerOptions<R>) {}

  private key(p: Pick<ScheduledPair, 'audienceId' | 'destinationId'>): string {
    return `${p.audienceId}:${p.destinationId}`;
  }

  async start(pairs: ScheduledPair[], now = new Date()): Promise<void> {
    for (const pair of pairs) {
      this.schedule(pair);
      const previousTick = new Cron(pair.cron, { paused: true, ...(pair.timezone ? { timezone: pair.timezone } : {}) }).previousRuns(1, now)[0];
      const last = await this.o.lastStartedAt(pair);
      if (previousTick && (!last || last < previousTick)) void this.runNow(pair.audienceId, pair.destinationId);
    }
  }

  schedule(pair: ScheduledPair): void {
    validateCron(pair.cron, pair.timezone);
    this.unschedule(pair);
    const cron = new Cron(pair.cron, { protect: true, ...(pair.timezone ? { timezone: pair.timezone } : {}) }, async () => {
      await this.runNow(pair.audienceId, pair.destinationId);
    });
    this.jobs.set(this.key(pair), { pair, cron });
  }

  unschedule(pair: Pick<ScheduledPair, 'audienceId' | 'destinationId'>): void {
    this.jobs.get(this.key(pair))?.cron.stop();
    this.jobs.delete(this.key(pair));
  }

  nextRun(pair: Pick<ScheduledPair, 'audienceId' | 'destinationId'>): Date | null {
    return this.jobs.get(this.key(pair))?.cron.nextRun() ?? null;
  }

  /** "Run now": resolves with the run, or undefined when that pair is already running. */
  runNow(audienceId: string, destinationId: string, mode?: 'diff' | 'full'): Promise<R | undefined> {
    const key = this.key({ audienceId, destinationId });
    const current = this.running.get(key);
    if (current) return current.then(() => undefined);
    const pair = this.jobs.get(key)?.pair ?? { audienceId, destinationId, cron: '' };
    const p = this.o.run(pair, mode ?? pair.mode ?? 'diff').catch((err: unknown) => {
      if (!(err instanceof AudienceBusyError)) this.o.onError?.(pair, err);
      return undefined;
    }).finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }

  async stop(): Promise<void> {
    for (const { cron } of this.jobs.values()) cron.stop();
    this.jobs.clear();
    await Promise.all(this.running.values());
  }
}
