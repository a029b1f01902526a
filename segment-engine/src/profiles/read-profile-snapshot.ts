import type { ClickHouseClient } from '@clickhouse/client';
import { SEGMENTS_STATE_SQL } from './refresh-profile-snapshots.js';

/** What the latest profile snapshot (migration 0014) holds for a person, besides its identifiers. */
export interface ProfileSnapshot {
  /** The person's `person_traits` row as JSON text, `''` when it has none. */
  computed: string;
  tags: string[];
  segments: { id: string; name: string; since: string }[];
  /** No membership refresh with changes, and no segment created, edited or deleted since the snapshot: `segments` are current. */
  segmentsCurrent: boolean;
}

export interface SnapshotPerson {
  personId: string;
  identifiers: string[];
  snapshot: ProfileSnapshot;
}

type Row = { pid: string; identifiers: string[]; computed: string; tags: string[]; segments: ProfileSnapshot['segments']; segments_current: number | boolean };

/**
 * The person of the first of `candidates` that has a row in the latest snapshot, with the snapshot:
 * one primary-key read (`has` over the candidates' hashes becomes a set the index uses), which also
 * checks whether its segments are still current (`SEGMENTS_STATE_SQL`). Undefined for
 * an identifier no refresh has seen yet (or a deleted person: its rows are deleted with it). A person
 * without edges has no identifiers in its row: the candidate whose hash matched is its only one.
 */
export async function readProfileSnapshot(client: ClickHouseClient, candidates: string[]): Promise<SnapshotPerson | undefined> {
  const rs = await client.query({
    query: `WITH arrayMap(k -> cityHash64(k), {ids:Array(String)}) AS hashes
      SELECT toString(person_id) AS pid, computed, tags, segments, segments_state = ${SEGMENTS_STATE_SQL} AS segments_current,
        if(empty(identifiers), [arrayFirst(k -> cityHash64(k) = key_hash, {ids:Array(String)})], identifiers) AS identifiers
      FROM person_profiles WHERE has(hashes, key_hash)
      ORDER BY indexOf(hashes, key_hash), version DESC LIMIT 1
      SETTINGS max_threads = 1`,
    query_params: { ids: candidates },
    format: 'JSONEachRow',
  });
  const row = (await rs.json<Row>())[0];
  if (!row) return undefined;
  return {
    personId: row.pid,
    identifiers: row.identifiers,
    snapshot: { computed: row.computed, tags: row.tags, segments: row.segments, segmentsCurrent: Boolean(row.segments_current) },
  };
}
