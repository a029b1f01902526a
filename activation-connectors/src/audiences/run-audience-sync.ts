import { randomUUID } from 'node:crypto';
import type { AudienceBatch, BatchResult, ConnectorContext, DestinationDefinition } from '../connector.js';
import { ConnectorError } from '../errors.js';
import { GraphClient, type GraphClientOptions } from '../graph/graph-client.js';
import type { AudienceMember } from '../identifiers/member.js';
import { RunLockLostError } from '../run-lock/run-lock.js';
import type { AudienceRun, AudienceStateStore, RunCheckpoint } from './audience-state-store.js';
import type { MemberLoader, MembershipSource } from './membership-source.js';

export interface AudienceRef {
  id: string;
  segmentId: string;
}

export interface DestinationRef {
  /** This configured destination (one per audience and platform account). */
  id: string;
  definition: DestinationDefinition;
  /** Validated settings, secrets opened. */
  settings: Record<string, unknown>;
}

export interface RunAudienceSyncOptions {
  audience: AudienceRef;
  destination: DestinationRef;
  source: MembershipSource;
  loader: MemberLoader;
  store: AudienceStateStore;
  /** `diff` (default): who entered and left since the last successful run. `full`: the whole segment (replace where supported). */
  mode?: 'diff' | 'full';
  batchSize?: number;
  graph?: Partial<GraphClientOptions>;
  now?: () => Date;
  /** After each confirmed batch (progress; tests kill runs here). */
  onBatch?: (info: { phase: string; batchSeq: number; done: number }) => void | Promise<void>;
}

export class AudienceBusyError extends Error {
  readonly code = 'AUDIENCE_RUN_IN_PROGRESS';
  constructor(pair: string) {
    super(`a sync of ${pair} is already running`);
  }
}

const pairKey = (a: AudienceRef, d: DestinationRef): string => `${a.id}:${d.id}`;

/** Regroups a stream of id chunks into batches of `size`, skipping the first `skip` ids; marks the last batch. */
async function* rebatch(source: AsyncIterable<string[]>, size: number, skip: number): AsyncIterable<{ ids: string[]; last: boolean }> {
  let buffer: string[] = [];
  let skipped = 0;
  for await (const chunk of source) {
    let part = chunk;
    if (skipped < skip) {
      const n = Math.min(skip - skipped, part.length);
      skipped += n;
      part = part.slice(n);
    }
    buffer.push(...part);
    while (buffer.length > size) {
      yield { ids: buffer.slice(0, size), last: false };
      buffer = buffer.slice(size);
    }
  }
  yield { ids: buffer, last: true };
}

async function* filterChanges(source: AsyncIterable<{ personId: string; change: string }[]>, change: string): AsyncIterable<string[]> {
  for await (const chunk of source) yield chunk.filter((c) => c.change === change).map((c) => c.personId);
}

async function* concat(first: string[], rest: AsyncIterable<string[]>): AsyncIterable<string[]> {
  if (first.length > 0) yield first;
  yield* rest;
}

/**
 * One audience → destination sync. Streams person ids from the segment's membership history in
 * batches; before each batch marks message recipients in flight, after it records them sent and
 * saves a checkpoint, so a run killed at any point and rerun sends no confirmed batch twice (and a
 * message never twice per campaign). Consent is checked on every member sent; the watermark moves
 * only when the whole run succeeded.
 */
export async function runAudienceSync(o: RunAudienceSyncOptions): Promise<AudienceRun> {
  const { audience, destination, source, loader, store } = o;
  const def = destination.definition;
  if (!def.syncBatch) throw new Error(`${def.id} does not sync audiences`);
  const pair = pairKey(audience, destination);
  const lockId = randomUUID();
  if (!(await store.tryLock(pair, lockId))) throw new AudienceBusyError(pair);
  try {
    let cp = await store.checkpoint(pair);
    const previous = cp ? (await store.runs(audience.id)).find((r) => r.runId === cp!.runId) : undefined;
    if (!cp) {
      const mode = o.mode ?? 'diff';
      const last = await store.lastSuccessfulVersion(pair);
      cp = {
        runId: randomUUID(), mode, fromVersion: mode === 'full' ? 0 : last ?? 0, toVersion: await source.latestVersion(audience.segmentId),
        phase: mode === 'full' ? (def.supportsReplace ? 'replace' : 'add') : 'remove', done: 0, batchSeq: 0,
        sessionId: String(Date.now() * 1000 + Math.floor(Math.random() * 1000)),
      };
    }
    const run: AudienceRun = previous ? { ...previous, status: 'running' } : {
      runId: cp.runId, audienceId: audience.id, destinationId: destination.id, mode: cp.mode, status: 'running', startedAt: new Date().toISOString(),
      fromVersion: cp.fromVersion, toVersion: cp.toVersion, added: 0, removed: 0, failed: 0, skippedConsent: 0, skipped: 0, skippedAlreadySent: 0,
      deferred: 0, invalidIdentifiers: 0, platformReceived: 0, platformInvalid: 0, failures: [],
    };
    delete run.error;
    await store.saveRun(run);

    const graph = new GraphClient({ ...def.graphOptions(destination.settings), ...o.graph });
    const ctx: ConnectorContext<Record<string, unknown>> = { settings: destination.settings, graph, state: await store.destinationState(pair), ...(o.now ? { now: o.now } : {}) };
    const campaign = def.oncePerCampaign ? `${destination.id}:${String(destination.settings.campaignId ?? audience.id)}` : undefined;
    const carried = await store.deferred(pair);
    const newDeferred: string[] = [];
    const size = Math.min(o.batchSize ?? def.maxBatchSize, def.maxBatchSize, Number(destination.settings.batchSize ?? Infinity));

    try {
      if (def.prepare) {
        ctx.state = { ...ctx.state, ...(await def.prepare(ctx)) };
        await store.saveDestinationState(pair, ctx.state);
      }
      const phases: RunCheckpoint['phase'][] = cp.mode === 'full' ? [cp.phase] : ['remove', 'add'];
      for (const phase of phases.slice(phases.indexOf(cp.phase))) {
        const ids: AsyncIterable<string[]> = phase === 'remove'
          ? filterChanges(source.netChanges(audience.segmentId, cp.fromVersion, cp.toVersion, size), 'left')
          : phase === 'add' && cp.mode === 'diff'
            ? concat(carried, filterChanges(source.netChanges(audience.segmentId, cp.fromVersion, cp.toVersion, size), 'entered'))
            : concat(phase === 'add' ? carried : [], source.members(audience.segmentId, cp.toVersion, size));
        for await (const { ids: batchIds, last } of rebatch(ids, size, cp.done)) {
          // An empty replace batch still closes the session (and empties the audience when the segment is empty).
          if (batchIds.length === 0 && phase !== 'replace') continue;
          await sendBatch(phase, batchIds, last);
        }
        cp.phase = phase === 'remove' ? 'add' : phase;
        cp.done = 0;
        await store.saveCheckpoint(pair, cp);
      }

      async function sendBatch(phase: RunCheckpoint['phase'], ids: string[], last: boolean): Promise<void> {
        // Another process took the pair over (our lease expired): stop before sending anything more.
        if (store.lockLost?.(pair, lockId)) throw new RunLockLostError(pair);
        const loaded = ids.length > 0 ? await loader.load(ids) : [];
        run.skipped += ids.length - loaded.length;
        let members = loaded;
        if (phase !== 'remove') {
          members = loaded.filter((m) => m.marketingConsent);
          run.skippedConsent += loaded.length - members.length;
        }
        let inFlight: string[] = [];
        if (campaign && phase !== 'remove') {
          const already = await store.alreadySent(campaign, members.map((m) => m.personId));
          run.skippedAlreadySent += already.size;
          members = members.filter((m) => !already.has(m.personId));
          inFlight = members.map((m) => m.personId);
          await store.markInFlight(campaign, inFlight);
        }
        const action: AudienceBatch['action'] = phase;
        const batch: AudienceBatch = { action, members, ...(phase === 'replace' ? { session: { id: cp!.sessionId, seq: cp!.batchSeq + 1, last } } : {}) };
        let result: BatchResult;
        try {
          if (members.length === 0 && phase !== 'replace') result = { sent: 0, invalidIdentifiers: 0, skipped: 0, deferred: [], failed: [] };
          else result = await def.syncBatch!(ctx, batch);
        } catch (err) {
          const partial = err instanceof ConnectorError ? (err.partial as BatchResult | undefined) : undefined;
          if (campaign && partial) {
            await store.markSent(campaign, Object.keys(partial.messageIds ?? {}));
            await logMessages(campaign, partial, members);
            await store.clearInFlight(campaign, partial.notAttempted ?? []);
            record(phase, partial);
          } else if (campaign && err instanceof ConnectorError && err.details.graphCode !== undefined) {
            await store.clearInFlight(campaign, inFlight);
          }
          throw err;
        }
        if (campaign) {
          await store.markSent(campaign, Object.keys(result.messageIds ?? {}));
          await logMessages(campaign, result, members);
          await store.clearInFlight(campaign, result.notAttempted ?? []);
        }
        record(phase, result);
        cp!.done += ids.length;
        cp!.batchSeq += 1;
        await store.saveCheckpoint(pair, cp);
        await store.saveRun(run);
        await o.onBatch?.({ phase, batchSeq: cp!.batchSeq, done: cp!.done });
      }

      /** Which person and phone got which message id: status webhooks find their person through it. */
      async function logMessages(c: string, r: BatchResult, sentTo: AudienceMember[]): Promise<void> {
        if (!store.recordMessages || !r.messageIds) return;
        const byId = new Map(sentTo.map((m) => [m.personId, m]));
        const entries = Object.entries(r.messageIds).map(([personId, messageId]) => ({
          campaign: c, personId, messageId, userId: byId.get(personId)?.externalId ?? '', phone: r.recipients?.[personId] ?? '',
        }));
        if (entries.length > 0) await store.recordMessages(entries);
      }

      function record(phase: string, r: BatchResult): void {
        if (phase === 'remove') run.removed += r.sent;
        else run.added += r.sent;
        run.failed += r.failed.length;
        run.skipped += r.skipped;
        run.invalidIdentifiers += r.invalidIdentifiers;
        run.platformReceived += r.platformReceived ?? 0;
        run.platformInvalid += r.platformInvalid ?? 0;
        newDeferred.push(...r.deferred);
        run.deferred += r.deferred.length;
        for (const f of r.failed) if (run.failures.length < 100) run.failures.push(f);
      }

      await store.saveDeferred(pair, newDeferred);
      run.status = 'succeeded';
      run.finishedAt = new Date().toISOString();
      await store.saveRun(run);
      await store.saveCheckpoint(pair, undefined);
      return run;
    } catch (err) {
      const e = err instanceof ConnectorError ? err : undefined;
      run.status = 'failed';
      run.finishedAt = new Date().toISOString();
      run.error = { code: e?.code ?? 'INTERNAL', kind: e?.kind ?? 'retryable', message: (err as Error).message };
      if (err instanceof RunLockLostError) run.error = { code: err.code, kind: 'retryable', message: err.message };
      await store.saveRun(run);
      // The pair's new holder owns the checkpoint now: leave it alone.
      if (err instanceof RunLockLostError) return run;
      // Nothing confirmed yet: forget the window (the next run recomputes it). Otherwise keep the
      // checkpoint so the next run resumes after the last confirmed batch.
      await store.saveCheckpoint(pair, cp.batchSeq === 0 ? undefined : cp);
      return run;
    }
  } finally {
    await store.unlock(pair, lockId);
  }
}
