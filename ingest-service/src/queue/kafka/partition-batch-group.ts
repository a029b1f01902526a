import type { Logger } from 'pino';
import type { BatchHandler, QueuedEvent } from '../event-queue.js';

/** A partition batch waiting to be loaded, with what kafkajs gives its handler to stay in the group. */
export interface PartitionBatchMember {
  events: QueuedEvent[];
  /** Keeps the consumer's group membership alive while a load is retried. */
  heartbeat: () => Promise<void>;
  /** False once the partition moved to another consumer (its offsets must not be committed here). */
  isActive: () => boolean;
}

export interface PartitionBatchGroupOptions {
  /** How long the first batch waits for the other partitions' batches of the same fetch. */
  lingerMs: number;
  /** A load closes early at this many events (the next batches go into the next load). */
  maxEvents: number;
  logger: Logger;
  /** Told whether the last load attempt succeeded (readiness). */
  onHealth: (healthy: boolean) => void;
  /** Backoff after failed load number `attempt` (0-based), in ms. */
  retryDelayMs?: (attempt: number) => number;
}

interface Pending extends PartitionBatchMember {
  resolve: (loaded: boolean) => void;
}

const defaultRetryDelay = (attempt: number) => Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));

/**
 * kafkajs hands the loader one batch per partition; one ClickHouse insert per partition batch makes
 * many small parts (6 partitions → 6 inserts per fetch) and the merges that follow cost more CPU than
 * the inserts. This gathers the partition batches of a fetch (they arrive together when
 * `partitionsConsumedConcurrently` covers the partitions) into one handler call, like a group commit.
 * `load` resolves true once the handler stored the batch (commit its offsets then), false when the
 * partition was revoked while the load was being retried (do not commit; it is redelivered). A failed
 * load is retried with backoff, heartbeating for every member, without the members that went inactive.
 */
export class PartitionBatchGroup {
  private pending: Pending[] = [];
  private pendingEvents = 0;
  private timer: NodeJS.Timeout | null = null;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly handler: BatchHandler,
    private readonly options: PartitionBatchGroupOptions,
  ) {}

  load(member: PartitionBatchMember): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending.push({ ...member, resolve });
      this.pendingEvents += member.events.length;
      if (this.pendingEvents >= this.options.maxEvents) this.close();
      else this.timer ??= setTimeout(() => this.close(), this.options.lingerMs);
    });
  }

  /** Closes the current group and queues its load behind the one running (loads never overlap). */
  private close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const group = this.pending;
    this.pending = [];
    this.pendingEvents = 0;
    if (group.length === 0) return;
    this.loading = this.loading.then(() => this.loadGroup(group));
  }

  private async loadGroup(group: Pending[]): Promise<void> {
    let members = group;
    // Partitions revoked meanwhile are left out: told false, so they are not committed here.
    const dropInactive = () => {
      for (const m of members) if (!m.isActive()) m.resolve(false);
      members = members.filter((m) => m.isActive());
      return members.length > 0;
    };
    for (let attempt = 0; ; attempt++) {
      if (!dropInactive()) return;
      try {
        await this.handler(members.length === 1 ? members[0]!.events : members.flatMap((m) => m.events));
        this.options.onHealth(true);
        for (const m of members) m.resolve(true);
        return;
      } catch (err) {
        // ClickHouse down or refusing: keep the batches, back off, keep the group membership alive.
        const delay = (this.options.retryDelayMs ?? defaultRetryDelay)(attempt);
        const events = members.reduce((n, m) => n + m.events.length, 0);
        this.options.logger.error({ err, events, partitionBatches: members.length, retryInMs: delay }, 'loading a batch failed; will retry');
        this.options.onHealth(false);
        const until = Date.now() + delay;
        while (Date.now() < until) {
          await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
          // one heartbeat serves the whole consumer; a failing one is retried on the next tick
          if (!dropInactive()) return;
          await members[0]!.heartbeat().catch(() => undefined);
        }
      }
    }
  }
}
