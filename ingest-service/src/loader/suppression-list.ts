import type { ClickHouseClient } from '@clickhouse/client';

/**
 * The shoppers deleted for privacy (`suppressed_identifiers`, written by the delete-person API), as
 * the loader needs them: their later events are dropped before they are stored. Read again at most
 * every `refreshMs`, lazily, before a batch. Deleted persons are few, so the whole list is held.
 *
 * The loader knows an event's partition key (its userId, else its anonymousId), not which of the two
 * it is, so a key is suppressed when `u:<key>` or `a:<key>` is listed. Events that name a deleted
 * person only by email or phone are not caught here; identity resolution never links them again.
 */
export class SuppressionList {
  private ids = new Set<string>();
  private loadedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly refreshMs: number,
  ) {}

  /** Re-reads the list when it is older than `refreshMs`. */
  async refreshIfStale(now = Date.now()): Promise<void> {
    if (now - this.loadedAt < this.refreshMs) return;
    const rs = await this.client.query({
      query: `SELECT DISTINCT identifier FROM suppressed_identifiers WHERE startsWith(identifier, 'u:') OR startsWith(identifier, 'a:')`,
      format: 'JSONCompactEachRow',
    });
    this.ids = new Set((await rs.json<[string]>()).map(([id]) => id));
    this.loadedAt = now;
  }

  /** True when the event's partition key belongs to a deleted person. */
  isSuppressed(partitionKey: string): boolean {
    if (this.ids.size === 0 || partitionKey === '') return false;
    return this.ids.has(`u:${partitionKey}`) || this.ids.has(`a:${partitionKey}`);
  }
}
