import type { ClickHouseClient } from '@clickhouse/client';
import type { SegmentSnapshotDefinition } from '@sextant/schemas';
import type { MembershipRefresh } from './refresh-memberships.js';
import type { StoredSegment } from './segment-repository.js';
import { invalidateSegmentCatalog } from './segment-catalog.js';

/**
 * Snapshot segments (definition `{ type: 'snapshot', ... }`): members written once, when the segment is
 * saved, as one membership version like a refresh writes (so the members API, profiles, `segment`
 * conditions and audiences read them as any segment's), and never recomputed by refreshes. Deleting a
 * person still removes their rows. The members are person ids as of the save: an identity merged into
 * another person later is not followed.
 */

export function isSnapshotSegment(segment: StoredSegment): segment is StoredSegment & { definition: SegmentSnapshotDefinition } {
  return segment.definition.type === 'snapshot';
}

/**
 * Writes `membersSql` (a SELECT whose `person_id` column holds person ids, as UInt64 or text) as the
 * members of the new segment `segmentId`: all of them entered now. Runs inside ClickHouse; `settings`
 * (e.g. ` SETTINGS ...`) ends the SELECT.
 */
export async function writeSnapshotMembers(
  client: ClickHouseClient,
  segmentId: string,
  members: { sql: string; params: Record<string, unknown>; settings?: string },
  now = new Date(),
): Promise<MembershipRefresh> {
  const started = Date.now();
  const version = Date.now();
  const params = { ...members.params, snap_segment: segmentId, snap_version: version, snap_at: now.toISOString().replace('T', ' ').replace('Z', '') };
  await client.command({
    query: `INSERT INTO segment_members SELECT {snap_segment:String}, {snap_version:UInt64}, toUInt64(person_id) FROM (${members.sql})${members.settings ?? ''}`,
    query_params: params,
  });
  await client.command({
    query: `INSERT INTO segment_membership_changes (segment_id, person_id, change, version, at)
      SELECT {snap_segment:String}, person_id, 'entered', {snap_version:UInt64}, {snap_at:DateTime64(3, 'UTC')}
      FROM segment_members WHERE segment_id = {snap_segment:String} AND version = {snap_version:UInt64}`,
    query_params: params,
  });
  const rs = await client.query({
    query: 'SELECT count() AS n FROM segment_members WHERE segment_id = {snap_segment:String} AND version = {snap_version:UInt64}',
    query_params: params,
    format: 'JSONEachRow',
  });
  const count = Number((await rs.json<{ n: string }>())[0]!.n);
  const result = { segmentId, version, members: count, entered: count, left: 0, durationMs: Date.now() - started };
  await client.insert({
    table: 'segment_refreshes',
    values: [{ segment_id: segmentId, version, members: count, entered: count, left: 0, duration_ms: result.durationMs }],
    format: 'JSONEachRow',
  });
  invalidateSegmentCatalog();
  return result;
}

/** What a refresh of a snapshot segment reports: its current version, unchanged (nobody entered or left). */
export async function snapshotMembership(client: ClickHouseClient, segmentId: string): Promise<MembershipRefresh> {
  const rs = await client.query({
    query: 'SELECT max(version) AS v, argMax(members, version) AS n FROM segment_refreshes WHERE segment_id = {id:String}',
    query_params: { id: segmentId },
    format: 'JSONEachRow',
  });
  const row = (await rs.json<{ v: string; n: string }>())[0];
  return { segmentId, version: Number(row?.v ?? 0), members: Number(row?.n ?? 0), entered: 0, left: 0, durationMs: 0 };
}

/** The current member count of each snapshot segment of `ids` (its one membership version, less deleted persons). */
export async function snapshotMemberCounts(client: ClickHouseClient, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rs = await client.query({
    query: `SELECT segment_id, count() AS n FROM segment_members
      WHERE segment_id IN {ids:Array(String)}
        AND (segment_id, version) IN (SELECT segment_id, max(version) FROM segment_refreshes WHERE segment_id IN {ids:Array(String)} GROUP BY segment_id)
      GROUP BY segment_id`,
    query_params: { ids },
    format: 'JSONEachRow',
  });
  const counts = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const r of await rs.json<{ segment_id: string; n: string }>()) counts.set(r.segment_id, Number(r.n));
  return counts;
}
