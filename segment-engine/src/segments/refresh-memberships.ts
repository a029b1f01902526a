import type { ClickHouseClient } from '@clickhouse/client';
import { compileSegment, matchingPersonsSql } from '../dsl/compile-segment.js';
import type { StoredSegment } from './segment-repository.js';
import { invalidateSegmentCatalog } from './segment-catalog.js';
import { isSnapshotSegment, snapshotMembership } from './snapshot-membership.js';

export interface MembershipRefresh {
  segmentId: string;
  version: number;
  members: number;
  entered: number;
  left: number;
  durationMs: number;
}

/**
 * Materializes one segment: writes its members as a new version, records who entered and who left
 * since the previous version in `segment_membership_changes` (what audiences diff against), then
 * removes older versions. All of it is SQL inside ClickHouse; no member list passes through Node.
 */
export async function refreshSegmentMembership(client: ClickHouseClient, segment: StoredSegment, now = new Date()): Promise<MembershipRefresh> {
  // A snapshot's members were written once when it was saved: never recomputed.
  if (isSnapshotSegment(segment)) return snapshotMembership(client, segment.id);
  const started = Date.now();
  const compiled = compileSegment(segment.definition, { now });
  const prevRs = await client.query({ query: 'SELECT max(version) AS v FROM segment_refreshes WHERE segment_id = {id:String}', query_params: { id: segment.id }, format: 'JSONEachRow' });
  const previous = Number((await prevRs.json<{ v: string }>())[0]?.v ?? 0);
  const version = Math.max(Date.now(), previous + 1);
  const params = { ...compiled.params, segment_id: segment.id, version, previous, at: now.toISOString().replace('T', ' ').replace('Z', '') };

  await client.command({
    query: `INSERT INTO segment_members SELECT {segment_id:String}, {version:UInt64}, person_id FROM (${matchingPersonsSql(compiled)})`,
    query_params: params,
  });
  const members = `SELECT person_id FROM segment_members WHERE segment_id = {segment_id:String} AND version = `;
  await client.command({
    query: `INSERT INTO segment_membership_changes (segment_id, person_id, change, version, at)
      SELECT {segment_id:String}, person_id, 'entered', {version:UInt64}, {at:DateTime64(3, 'UTC')} FROM (${members}{version:UInt64})
        WHERE person_id NOT IN (${members}{previous:UInt64})
      UNION ALL
      SELECT {segment_id:String}, person_id, 'left', {version:UInt64}, {at:DateTime64(3, 'UTC')} FROM (${members}{previous:UInt64})
        WHERE person_id NOT IN (${members}{version:UInt64})`,
    query_params: params,
  });
  const countsRs = await client.query({
    query: `SELECT
        (SELECT count() FROM segment_members WHERE segment_id = {segment_id:String} AND version = {version:UInt64}) AS members,
        (SELECT countIf(change = 'entered') FROM segment_membership_changes WHERE segment_id = {segment_id:String} AND version = {version:UInt64}) AS entered,
        (SELECT countIf(change = 'left') FROM segment_membership_changes WHERE segment_id = {segment_id:String} AND version = {version:UInt64}) AS left`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const counts = (await countsRs.json<{ members: string; entered: string; left: string }>())[0]!;
  const result = { segmentId: segment.id, version, members: Number(counts.members), entered: Number(counts.entered), left: Number(counts.left), durationMs: Date.now() - started };
  await client.insert({
    table: 'segment_refreshes',
    values: [{ segment_id: segment.id, version, members: result.members, entered: result.entered, left: result.left, duration_ms: result.durationMs }],
    format: 'JSONEachRow',
  });
  invalidateSegmentCatalog(); // profile lookups apply this refresh's changes at once
  if (previous) await client.command({ query: 'DELETE FROM segment_members WHERE segment_id = {segment_id:String} AND version < {version:UInt64}', query_params: params });
  return result;
}
