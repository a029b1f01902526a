/**
 * "Never run the same audience–destination pair twice at once", within this process: the run id
 * that holds each pair. Both state stores use it; ClickHouse cannot serve as a cross-process lock.
 */
export class InProcessRunLock {
  private readonly holders = new Map<string, string>();

  tryLock(pair: string, runId: string): boolean {
    if (this.holders.has(pair)) return false;
    this.holders.set(pair, runId);
    return true;
  }

  /** Releases the pair only if `runId` holds it. */
  unlock(pair: string, runId: string): void {
    if (this.holders.get(pair) === runId) this.holders.delete(pair);
  }
}
