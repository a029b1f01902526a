import type { ClickHouseClient } from '@clickhouse/client';
import { CHANGED_SEGMENT_VERSIONS_SQL } from './refresh-profile-snapshots.js';

/** What the latest profile snapshot (migrations 0014, 0015) holds for a person, besides its identifiers. */
export interface ProfileSnapshot {
  /** The person's `person_traits` row as JSON text, `''` when it has none. */
  computed: string;
  tags: string[];
  /** Memberships when the snapshot was written, with the names of then (`since` `''` when unknown). */
  segments: { id: string; name: string; since: string }[];
  /**
   * Segments refreshed with changes since the snapshot, each with the version of its latest such
   * refresh: `loadProfile` reads the person's changes of just these (one point read) and applies them.
   */
  changedSegments: Map<string, number>;
  /** Segments that exist now (not deleted), with their current names. */
  liveSegments: Map<string, string>;
  /** No live segment refreshed with changes since the snapshot: its memberships are current (names and deletions are applied from `liveSegments` either way). */
  segmentsCurrent: boolean;
}

export interface SnapshotPerson {
  personId: string;
  identifiers: string[];
  snapshot: ProfileSnapshot;
}

type Num = number | string;
type Row = {
  pid: string; identifiers: string[]; computed: string; tags: string[]; segments: ProfileSnapshot['segments'];
  segment_versions: Record<string, Num>;
  _changed: [string[], Num[]];
  _definitions: [string, string, Num, number][];
};

/**
 * Segment definitions as (id, name, revision, deleted), every stored revision (no FINAL: a tiny table,
 * and one subquery level less): the highest revision of each id wins (see `liveSegmentNames`).
 */
const DEFINITIONS_SQL = `(SELECT groupArray((id, name, revision, deleted)) FROM segment_definitions WHERE kind = 'segment')`;

/**
 * The person of the first of `candidates` that has a row in the latest snapshot, with the snapshot:
 * one primary-key read (`has` over the candidates' hashes becomes a set the index uses). The same
 * query reads the two small tables that say what changed since: the latest membership refresh with
 * changes of each segment, and the segment definitions (names, deletions). Undefined for an identifier
 * no refresh has seen yet (or a deleted person: its rows are deleted with it). A person without edges
 * has no identifiers in its row: the candidate whose hash matched is its only one.
 */
export async function readProfileSnapshot(client: ClickHouseClient, candidates: string[]): Promise<SnapshotPerson | undefined> {
  const rs = await client.query({
    query: `WITH arrayMap(k -> cityHash64(k), {ids:Array(String)}) AS hashes
      SELECT toString(person_id) AS pid, computed, tags, segments, segment_versions,
        ${CHANGED_SEGMENT_VERSIONS_SQL} AS _changed, ${DEFINITIONS_SQL} AS _definitions,
        if(empty(identifiers), [arrayFirst(k -> cityHash64(k) = key_hash, {ids:Array(String)})], identifiers) AS identifiers
      FROM person_profiles WHERE has(hashes, key_hash)
      ORDER BY indexOf(hashes, key_hash), version DESC LIMIT 1
      SETTINGS max_threads = 1`,
    query_params: { ids: candidates },
    format: 'JSONEachRow',
  });
  const row = (await rs.json<Row>())[0];
  if (!row) return undefined;
  const liveSegments = liveSegmentNames(row._definitions);
  // Deleted segments are dropped from the answer anyway: their changes need no read.
  const changedSegments = new Map<string, number>();
  const [ids, versions] = row._changed;
  ids.forEach((id, i) => {
    const version = Number(versions[i]);
    if (version > Number(row.segment_versions[id] ?? 0) && liveSegments.has(id)) changedSegments.set(id, version);
  });
  return {
    personId: row.pid,
    identifiers: row.identifiers,
    snapshot: { computed: row.computed, tags: row.tags, segments: row.segments, changedSegments, liveSegments, segmentsCurrent: changedSegments.size === 0 },
  };
}

/** Live segments and their names from every revision of the definitions: the highest revision of an id, unless a tombstone. */
function liveSegmentNames(definitions: Row['_definitions']): Map<string, string> {
  const latest = new Map<string, { name: string; revision: number; deleted: boolean }>();
  for (const [id, name, revision, deleted] of definitions) {
    const r = Number(revision);
    const seen = latest.get(id);
    if (!seen || r > seen.revision) latest.set(id, { name, revision: r, deleted: Number(deleted) !== 0 });
  }
  const live = new Map<string, string>();
  for (const [id, d] of latest) if (!d.deleted) live.set(id, d.name);
  return live;
}
