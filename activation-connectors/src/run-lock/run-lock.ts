/**
 * "Never run the same job twice at once" (an audience–destination pair, a Conversions API feed).
 * `holder` is the run's id; a lock instance may hold many keys, each for one holder.
 */
export interface RunLock {
  /** Takes `key` for `holder`; false when someone else holds it. */
  tryLock(key: string, holder: string): Promise<boolean>;
  /** Releases `key` only if `holder` holds it. */
  unlock(key: string, holder: string): Promise<void>;
  /**
   * True once this holder learnt that it no longer holds `key` (a lease that expired and was taken
   * over). The run should stop without writing more state. Locks that cannot be lost omit it.
   */
  lost?(key: string, holder: string): boolean;
}

/** Thrown inside a run whose lock was taken over by another process. */
export class RunLockLostError extends Error {
  readonly code = 'RUN_LOCK_LOST';
  constructor(key: string) {
    super(`the run lock of ${key} expired and was taken over by another process; this run stopped`);
    this.name = 'RunLockLostError';
  }
}
