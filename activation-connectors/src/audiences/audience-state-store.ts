import { InProcessRunLock } from './in-process-run-lock.js';

/** One audience → destination sync, as kept in the run history. */
export interface AudienceRun {
  runId: string;
  audienceId: string;
  destinationId: string;
  mode: 'diff' | 'full';
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  fromVersion: number;
  toVersion: number;
  added: number;
  removed: number;
  failed: number;
  skippedConsent: number;
  /** Members with no usable identifier / no opt-in. */
  skipped: number;
  /** Sent in an earlier run of the same campaign, or in flight when a run died (never resent). */
  skippedAlreadySent: number;
  deferred: number;
  invalidIdentifiers: number;
  platformReceived: number;
  platformInvalid: number;
  failures: { personId: string; code: string; message: string }[];
  error?: { code: string; kind: string; message: string };
}

/** One message Meta accepted: the person, the phone it went to and its id (`wamid`). */
export interface SentMessageRecord {
  campaign: string;
  personId: string;
  messageId: string;
  /** The person's userId when known (status events are stored under it). */
  userId: string;
  /** Digits with country code, as sent. */
  phone: string;
}

/** Where a run that died stopped: it resumes there with the same version window. */
export interface RunCheckpoint {
  runId: string;
  mode: 'diff' | 'full';
  fromVersion: number;
  toVersion: number;
  phase: 'remove' | 'add' | 'replace';
  /** Ids consumed in `phase` (their batch confirmed). */
  done: number;
  batchSeq: number;
  sessionId: string;
}

/**
 * Everything the runner persists. Each call is one small write, made before or after a batch, so a
 * run killed at any point resumes without sending a confirmed batch again.
 */
export interface AudienceStateStore {
  /** Takes the pair's lock; false when another run holds it (no pair runs twice at once). */
  tryLock(pair: string, runId: string): Promise<boolean>;
  unlock(pair: string, runId: string): Promise<void>;
  /** True once the run learnt its lock was taken over (a lease that expired): it must stop writing. */
  lockLost?(pair: string, runId: string): boolean;
  lastSuccessfulVersion(pair: string): Promise<number | undefined>;
  destinationState(pair: string): Promise<Record<string, string>>;
  saveDestinationState(pair: string, state: Record<string, string>): Promise<void>;
  checkpoint(pair: string): Promise<RunCheckpoint | undefined>;
  saveCheckpoint(pair: string, cp: RunCheckpoint | undefined): Promise<void>;
  /** Members kept for the next run (quiet hours). */
  deferred(pair: string): Promise<string[]>;
  saveDeferred(pair: string, personIds: string[]): Promise<void>;
  /** Of `personIds`, those already sent or in flight for `campaign`. */
  alreadySent(campaign: string, personIds: readonly string[]): Promise<Set<string>>;
  markInFlight(campaign: string, personIds: readonly string[]): Promise<void>;
  markSent(campaign: string, personIds: readonly string[]): Promise<void>;
  /** Clears in-flight marks of members that certainly were not sent (failed before the request). */
  clearInFlight(campaign: string, personIds: readonly string[]): Promise<void>;
  /** The send log of message destinations: who got which platform message id (WhatsApp `wamid`). */
  recordMessages?(entries: SentMessageRecord[]): Promise<void>;
  saveRun(run: AudienceRun): Promise<void>;
  runs(audienceId: string): Promise<AudienceRun[]>;
}

/** In-process store (tests, demo, benchmark). The ClickHouse-backed one keeps the same contract. */
export class InMemoryAudienceStateStore implements AudienceStateStore {
  private readonly locks = new InProcessRunLock();
  readonly versions = new Map<string, number>();
  readonly states = new Map<string, Record<string, string>>();
  readonly checkpoints = new Map<string, RunCheckpoint>();
  readonly deferredIds = new Map<string, string[]>();
  readonly sends = new Map<string, Map<string, 'in_flight' | 'sent'>>();
  readonly history: AudienceRun[] = [];
  readonly messages: SentMessageRecord[] = [];

  async tryLock(pair: string, runId: string) {
    return this.locks.tryLock(pair, runId);
  }
  async unlock(pair: string, runId: string) {
    await this.locks.unlock(pair, runId);
  }
  async lastSuccessfulVersion(pair: string) {
    return this.versions.get(pair);
  }
  async destinationState(pair: string) {
    return { ...(this.states.get(pair) ?? {}) };
  }
  async saveDestinationState(pair: string, state: Record<string, string>) {
    this.states.set(pair, { ...state });
  }
  async checkpoint(pair: string) {
    const cp = this.checkpoints.get(pair);
    return cp ? { ...cp } : undefined;
  }
  async saveCheckpoint(pair: string, cp: RunCheckpoint | undefined) {
    if (cp) this.checkpoints.set(pair, { ...cp });
    else this.checkpoints.delete(pair);
  }
  async deferred(pair: string) {
    return [...(this.deferredIds.get(pair) ?? [])];
  }
  async saveDeferred(pair: string, ids: string[]) {
    this.deferredIds.set(pair, [...ids]);
  }
  private campaign(c: string) {
    let m = this.sends.get(c);
    if (!m) this.sends.set(c, (m = new Map()));
    return m;
  }
  async alreadySent(campaign: string, ids: readonly string[]) {
    const m = this.campaign(campaign);
    return new Set(ids.filter((id) => m.has(id)));
  }
  async markInFlight(campaign: string, ids: readonly string[]) {
    const m = this.campaign(campaign);
    for (const id of ids) if (!m.has(id)) m.set(id, 'in_flight');
  }
  async markSent(campaign: string, ids: readonly string[]) {
    const m = this.campaign(campaign);
    for (const id of ids) m.set(id, 'sent');
  }
  async clearInFlight(campaign: string, ids: readonly string[]) {
    const m = this.campaign(campaign);
    for (const id of ids) if (m.get(id) === 'in_flight') m.delete(id);
  }
  async recordMessages(entries: SentMessageRecord[]) {
    this.messages.push(...entries);
  }
  async saveRun(run: AudienceRun) {
    const i = this.history.findIndex((r) => r.runId === run.runId);
    if (i >= 0) this.history[i] = structuredClone(run);
    else this.history.push(structuredClone(run));
    if (run.status === 'succeeded') this.versions.set(`${run.audienceId}:${run.destinationId}`, run.toVersion);
  }
  async runs(audienceId: string) {
    return this.history.filter((r) => r.audienceId === audienceId).map((r) => structuredClone(r));
  }
}
