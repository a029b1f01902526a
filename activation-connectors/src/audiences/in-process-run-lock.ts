import type { RunLock } from '../run-lock/run-lock.js';

/**
 * "Never run the same audience–destination pair twice at once", within this process: the run id
 * that holds each pair. The in-memory state store uses it; across processes see
 * `run-lock/clickhouse-lease-lock.ts`.
 */
export class InProcessRunLock implements RunLock {
  private readonly holders = new Map<string, string>();

  async tryLock(pair: string, runId: string): Promise<boolean> {
    if (this.holders.has(pair)) return false;
    this.holders.set(pair, runId);
    return true;
  }

  /** Releases the pair only if `runId` holds it. */
  async unlock(pair: string, runId: string): Promise<void> {
    if (this.holders.get(pair) === runId) this.holders.delete(pair);
  }
}
