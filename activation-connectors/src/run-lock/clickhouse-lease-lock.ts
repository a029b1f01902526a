import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { RunLock } from './run-lock.js';

/** The slice of `@clickhouse/client` the lock uses (a chDB or a server client). */
export interface LeaseClient {
  query(params: { query: string; query_params?: Record<string, unknown>; format: 'JSONEachRow' }): Promise<{ json<T>(): Promise<T[]> }>;
  insert(params: { table: string; values: Record<string, unknown>[]; format: 'JSONEachRow' }): Promise<unknown>;
}

export interface ClickHouseLeaseLockOptions {
  /** How long a lease lives without renewal (default 60 s): a crashed holder blocks the key this long. */
  ttlMs?: number;
  /** How often the holder renews (default ttl / 3). `Infinity`: never (tests simulate a crash). */
  renewEveryMs?: number;
  /**
   * Wait between "my claim is first" and "I hold it", re-checked after (default 250 ms). It covers a
   * competing insert whose server timestamp is earlier than ours but which became visible after our
   * first read-back. See the guarantees below.
   */
  settleMs?: number;
  /** Identifies this process in the lease rows (default `hostname:pid:random`). */
  processId?: string;
  /** Called when a renewal finds the lease taken over (the run should stop). */
  onLost?: (key: string, holder: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

interface LeaseState {
  epoch: number;
  holder: string;
  expiresMs: number;
  released: boolean;
  nowMs: number;
}

interface Held {
  owner: string;
  epoch: number;
  lost: boolean;
  /** Local time after which, without a successful renewal, we must assume the lease is gone. */
  localDeadline: number;
  timer?: NodeJS.Timeout;
}

/**
 * A run lock shared by every process on the same ClickHouse (`activation_run_leases`, migration 21).
 *
 * Algorithm: leases come in epochs per key. To acquire, read the newest epoch; if its holder's lease
 * is live (not released, not expired by the *server* clock) give up; otherwise insert a `claim` for
 * epoch + 1, read back the winner of that epoch (the claim with the smallest server `inserted_at`,
 * then owner: `argMin`), wait `settleMs`, read again, and hold only if both reads name us and no newer
 * epoch exists. The holder inserts `renew` rows every `renewEveryMs` (its expiry is the latest
 * `expires_at` of its own rows; a loser's rows never count) and a `release` row at the end.
 *
 * Guarantees, honestly:
 * - Two claims for the same epoch can both be told "you won" only if an earlier-stamped insert
 *   becomes visible more than `settleMs` after a later one was read back. On one ClickHouse server an
 *   insert is visible when it returns, so this needs an insert stuck for longer than `settleMs` between
 *   taking its timestamp and committing. On a replicated cluster reads must reach a replica that has
 *   the other insert (`insert_quorum` / `select_sequential_consistency`, or one replica for this
 *   table); otherwise the window is the replication lag. This is best-effort mutual exclusion, not
 *   consensus: the runs it protects stay correct anyway (checkpoints per batch, WhatsApp sends marked
 *   in flight before sending, Meta deduplicating CAPI events on event_id).
 * - A holder that stops renewing (crash, or a pause longer than the TTL) loses the key after `ttlMs`;
 *   another process may then take it. A paused holder finds out at its next renewal (`lost()` turns
 *   true, `onLost` fires), so for up to one renewal interval both may work. Runs check `lost()` before
 *   every batch and then stop without writing state.
 * - Expiry is judged by the ClickHouse server's clock (DEFAULT `now64`), never by the processes' own.
 */
export class ClickHouseLeaseLock implements RunLock {
  private readonly held = new Map<string, Held>();
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  private readonly settleMs: number;
  private readonly processId: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly client: LeaseClient, private readonly options: ClickHouseLeaseLockOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(10, Math.floor(this.ttlMs / 3));
    this.settleMs = options.settleMs ?? 250;
    this.processId = options.processId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** The newest epoch of `key` with its holder, or undefined when the key was never locked. */
  async state(key: string): Promise<LeaseState | undefined> {
    const rs = await this.client.query({
      query: `SELECT epoch, holder,
          toUnixTimestamp64Milli(maxIf(expires_at, owner = holder)) AS expires_ms,
          countIf(kind = 'release' AND owner = holder) > 0 AS released,
          toUnixTimestamp64Milli(now64(3)) AS now_ms
        FROM activation_run_leases AS l
        INNER JOIN (
          SELECT epoch, argMin(owner, (inserted_at, owner)) AS holder FROM activation_run_leases
          WHERE lock_key = {key:String} AND kind = 'claim'
          GROUP BY epoch ORDER BY epoch DESC LIMIT 1
        ) AS w USING (epoch)
        WHERE l.lock_key = {key:String}
        GROUP BY epoch, holder`,
      query_params: { key },
      format: 'JSONEachRow',
    });
    const row = (await rs.json<{ epoch: number | string; holder: string; expires_ms: number | string; released: boolean | number; now_ms: number | string }>())[0];
    // UInt64/Int64 come back as numbers from chDB and as strings from a server.
    return row ? { epoch: Number(row.epoch), holder: row.holder, expiresMs: Number(row.expires_ms), released: Boolean(Number(row.released)), nowMs: Number(row.now_ms) } : undefined;
  }

  private async write(key: string, epoch: number, owner: string, kind: 'claim' | 'renew' | 'release'): Promise<void> {
    // inserted_at and expires_at are left to their server-side DEFAULTs.
    await this.client.insert({ table: 'activation_run_leases', values: [{ lock_key: key, epoch, owner, kind, ttl_ms: this.ttlMs }], format: 'JSONEachRow' });
  }

  async tryLock(key: string, holder: string): Promise<boolean> {
    if (this.held.has(key)) return false;
    const current = await this.state(key);
    if (current && !current.released && current.expiresMs > current.nowMs) return false;
    const epoch = (current?.epoch ?? 0) + 1;
    const owner = `${this.processId}/${holder}`;
    const started = Date.now();
    await this.write(key, epoch, owner, 'claim');
    const wins = async (): Promise<boolean> => {
      const s = await this.state(key);
      return s !== undefined && s.epoch === epoch && s.holder === owner;
    };
    if (!(await wins())) return false;
    await this.sleep(this.settleMs);
    if (!(await wins())) return false;
    const h: Held = { owner, epoch, lost: false, localDeadline: started + this.ttlMs };
    if (Number.isFinite(this.renewEveryMs)) {
      h.timer = setInterval(() => void this.renew(key, holder, h), this.renewEveryMs);
      h.timer.unref();
    }
    this.held.set(key, h);
    return true;
  }

  private async renew(key: string, holder: string, h: Held): Promise<void> {
    if (h.lost) return;
    const started = Date.now();
    try {
      await this.write(key, h.epoch, h.owner, 'renew');
      const s = await this.state(key);
      if (!s || s.epoch !== h.epoch || s.holder !== h.owner) this.markLost(key, holder, h);
      else h.localDeadline = started + this.ttlMs;
    } catch {
      // ClickHouse unreachable: keep trying until the lease must be assumed expired.
      if (Date.now() > h.localDeadline) this.markLost(key, holder, h);
    }
  }

  private markLost(key: string, holder: string, h: Held): void {
    if (h.lost) return;
    h.lost = true;
    if (h.timer) clearInterval(h.timer);
    this.options.onLost?.(key, holder);
  }

  lost(key: string, holder: string): boolean {
    const h = this.held.get(key);
    if (!h || !h.owner.endsWith(`/${holder}`)) return true;
    return h.lost || Date.now() > h.localDeadline;
  }

  async unlock(key: string, holder: string): Promise<void> {
    const h = this.held.get(key);
    if (!h || h.owner !== `${this.processId}/${holder}`) return;
    if (h.timer) clearInterval(h.timer);
    this.held.delete(key);
    // A release of an epoch that was taken over changes nothing: only the newest epoch counts.
    await this.write(key, h.epoch, h.owner, 'release');
  }
}
