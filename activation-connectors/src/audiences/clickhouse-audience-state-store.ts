import { ClickHouseLeaseLock, type ClickHouseLeaseLockOptions } from '../run-lock/clickhouse-lease-lock.js';
import type { RunLock } from '../run-lock/run-lock.js';
import type { AudienceRun, AudienceStateStore, RunCheckpoint, SentMessageRecord } from './audience-state-store.js';

/** The slice of `@clickhouse/client` used here. */
export interface StateClient {
  query(params: { query: string; query_params?: Record<string, unknown>; format: 'JSONEachRow' }): Promise<{ json<T>(): Promise<T[]> }>;
  insert(params: { table: string; values: Record<string, unknown>[]; format: 'JSONEachRow' }): Promise<unknown>;
}

export interface ClickHouseAudienceStateStoreOptions {
  /** The pair lock; default a {@link ClickHouseLeaseLock} on the same ClickHouse (works across processes). */
  lock?: RunLock;
  lease?: ClickHouseLeaseLockOptions;
}

/**
 * {@link AudienceStateStore} on the 0020 tables. Every write is one small insert with a higher
 * `revision`; reads use FINAL. The pair lock is a lease in ClickHouse (`activation_run_leases`), so
 * several Sextant processes on one ClickHouse server never run the same pair at once (see the lease
 * lock for what exactly that guarantees).
 */
export class ClickHouseAudienceStateStore implements AudienceStateStore {
  private readonly locks: RunLock;
  private lastRevision = 0;

  constructor(private readonly client: StateClient, options: ClickHouseAudienceStateStoreOptions = {}) {
    this.locks = options.lock ?? new ClickHouseLeaseLock(client, options.lease);
  }

  private revision(): number {
    this.lastRevision = Math.max(Date.now() * 1000, this.lastRevision + 1);
    return this.lastRevision;
  }

  private async getState(pair: string, kind: string): Promise<string | undefined> {
    const rs = await this.client.query({ query: 'SELECT value FROM audience_sync_state FINAL WHERE pair = {pair:String} AND kind = {kind:String}', query_params: { pair, kind }, format: 'JSONEachRow' });
    const value = (await rs.json<{ value: string }>())[0]?.value;
    return value === '' ? undefined : value;
  }

  private async setState(pair: string, kind: string, value: string): Promise<void> {
    await this.client.insert({ table: 'audience_sync_state', values: [{ pair, kind, value, revision: this.revision() }], format: 'JSONEachRow' });
  }

  async tryLock(pair: string, runId: string) {
    return this.locks.tryLock(pair, runId);
  }
  async unlock(pair: string, runId: string) {
    await this.locks.unlock(pair, runId);
  }
  lockLost(pair: string, runId: string) {
    return this.locks.lost?.(pair, runId) ?? false;
  }
  async lastSuccessfulVersion(pair: string) {
    const v = await this.getState(pair, 'watermark');
    return v === undefined ? undefined : Number(v);
  }
  async destinationState(pair: string) {
    return JSON.parse((await this.getState(pair, 'destination')) ?? '{}') as Record<string, string>;
  }
  async saveDestinationState(pair: string, state: Record<string, string>) {
    await this.setState(pair, 'destination', JSON.stringify(state));
  }
  async checkpoint(pair: string) {
    const v = await this.getState(pair, 'checkpoint');
    return v ? (JSON.parse(v) as RunCheckpoint) : undefined;
  }
  async saveCheckpoint(pair: string, cp: RunCheckpoint | undefined) {
    await this.setState(pair, 'checkpoint', cp ? JSON.stringify(cp) : '');
  }
  async deferred(pair: string) {
    return JSON.parse((await this.getState(pair, 'deferred')) ?? '[]') as string[];
  }
  async saveDeferred(pair: string, ids: string[]) {
    await this.setState(pair, 'deferred', JSON.stringify(ids));
  }
  async alreadySent(campaign: string, ids: readonly string[]) {
    if (ids.length === 0) return new Set<string>();
    const rs = await this.client.query({
      query: `SELECT person_id FROM audience_send_state FINAL WHERE campaign = {campaign:String} AND person_id IN {ids:Array(String)} AND state != 'cleared'`,
      query_params: { campaign, ids }, format: 'JSONEachRow',
    });
    return new Set((await rs.json<{ person_id: string }>()).map((r) => r.person_id));
  }
  private async setSend(campaign: string, ids: readonly string[], state: 'in_flight' | 'sent' | 'cleared'): Promise<void> {
    if (ids.length === 0) return;
    const revision = this.revision();
    await this.client.insert({ table: 'audience_send_state', values: ids.map((person_id) => ({ campaign, person_id, state, revision })), format: 'JSONEachRow' });
  }
  async markInFlight(campaign: string, ids: readonly string[]) {
    await this.setSend(campaign, ids, 'in_flight');
  }
  async markSent(campaign: string, ids: readonly string[]) {
    await this.setSend(campaign, ids, 'sent');
  }
  async clearInFlight(campaign: string, ids: readonly string[]) {
    // Only ids this run marked in flight reach here (never ones already sent).
    await this.setSend(campaign, ids, 'cleared');
  }
  async recordMessages(entries: SentMessageRecord[]) {
    await this.client.insert({ table: 'whatsapp_message_log', format: 'JSONEachRow',
      values: entries.map((e) => ({ wamid: e.messageId, campaign: e.campaign, person_id: e.personId, user_id: e.userId, recipient_phone: e.phone })) });
  }
  async saveRun(run: AudienceRun) {
    await this.client.insert({ table: 'audience_runs', values: [{ audience_id: run.audienceId, destination_id: run.destinationId, run_id: run.runId,
      started_at: run.startedAt.replace('T', ' ').replace('Z', ''), status: run.status, run: JSON.stringify(run), revision: this.revision() }], format: 'JSONEachRow' });
    if (run.status === 'succeeded') await this.setState(`${run.audienceId}:${run.destinationId}`, 'watermark', String(run.toVersion));
  }
  async runs(audienceId: string) {
    const rs = await this.client.query({ query: 'SELECT run FROM audience_runs FINAL WHERE audience_id = {a:String} ORDER BY started_at, run_id', query_params: { a: audienceId }, format: 'JSONEachRow' });
    return (await rs.json<{ run: string }>()).map((r) => JSON.parse(r.run) as AudienceRun);
  }
}
