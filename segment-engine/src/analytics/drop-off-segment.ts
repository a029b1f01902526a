import type { ClickHouseClient } from '@clickhouse/client';
import type { FunnelDefinition, SegmentSnapshotDefinition } from '@sextant/schemas';
import { SegmentRepository, type StoredSegment } from '../segments/segment-repository.js';
import { writeSnapshotMembers } from '../segments/snapshot-membership.js';
import { funnelDropOffQuery } from './run-funnel.js';

export interface DropOffSegmentInput {
  funnel: FunnelDefinition;
  step: number;
  breakdownValue?: string | undefined;
  name?: string | undefined;
  /** "Now" of the funnel answer (default: the current time). */
  asOf?: Date | undefined;
}

/**
 * Saves "who dropped off at step k" as a snapshot segment: exactly the persons `funnelDropOffs` reports
 * at `asOf` (any mode and window, in-progress persons excluded, the breakdown value when given), written
 * once. A snapshot rather than a rule because the funnel's answer depends on "now" (who is still in
 * their window) and on its modes, which the segment DSL's funnel condition does not express; refreshes
 * keep the list as saved. Members are written by one INSERT … SELECT from the drop-off query.
 */
export async function saveDropOffSegment(client: ClickHouseClient, input: DropOffSegmentInput): Promise<StoredSegment & { members: number }> {
  const asOf = input.asOf ?? new Date();
  const definition: SegmentSnapshotDefinition = {
    type: 'snapshot',
    source: 'funnel_drop_offs',
    taken_at: asOf.toISOString(),
    funnel: input.funnel,
    step: input.step,
    ...(input.breakdownValue === undefined ? {} : { breakdown_value: input.breakdownValue }),
  };
  const by = input.breakdownValue === undefined ? '' : ` (${input.breakdownValue})`;
  const repo = new SegmentRepository(client);
  // The query is built (and the definition checked) before anything is stored.
  const query = await funnelDropOffQuery(client, input.funnel, input.step, { asOf, ...(input.breakdownValue === undefined ? {} : { breakdownValue: input.breakdownValue }) });
  const segment = await repo.create('segment', {
    name: input.name || `Dropped off at step ${input.step}${by}`,
    description: `Snapshot: persons who dropped off at step ${input.step}${by} of a funnel as of ${definition.taken_at}; not recomputed by refreshes`,
    definition,
  });
  try {
    const written = await writeSnapshotMembers(client, segment.id, query);
    return { ...segment, members: written.members };
  } catch (err) {
    await repo.delete(segment).catch(() => undefined); // no half-saved segment without members
    throw err;
  }
}
