import type { ClickHouseClient } from '@clickhouse/client';
import { currentVersionSql } from '../sql/person-sql.js';
import { nextVersion, recordRun } from '../refresh/versions.js';
import { CURRENT_SEGMENT_VERSIONS_SQL, LIVE_SEGMENT_NAMES_SQL } from '../segments/current-membership-sql.js';
import { CHANGED_SEGMENT_VERSIONS_SQL, invalidateSegmentCatalog } from '../segments/segment-catalog.js';

const IDENTITY_MAP = `(SELECT identifier, person_id FROM identity_map WHERE version = ${currentVersionSql('identity')})`;

/**
 * Rows of the new snapshot version: one per identifier with an edge (all of its person's identifiers),
 * one per person without edges under its own key hash (= its person id), each with the person's current
 * traits row as JSON, tags and segment memberships (current version of each live segment, name, last
 * entry). Persons on the suppression list are left out.
 */
export function profileSnapshotsInsertSql(): string {
  const traits = `SELECT person_id, formatRowNoNewline('JSONEachRow', * EXCEPT (version, person_id)) AS computed
    FROM person_traits WHERE version = ${currentVersionSql('traits')}`;
  const tags = `SELECT person_id, arraySort(groupArray(tag)) AS tags FROM person_tags
    WHERE version = ${currentVersionSql('tags')} GROUP BY person_id`;
  const segments = `SELECT m.person_id AS person_id,
      arrayMap(s -> CAST(s, 'Tuple(id String, name String, since String)'), arraySort(s -> (s.2, s.1), groupArray((m.segment_id, d.name, c.since)))) AS segments
    FROM segment_members AS m
    INNER JOIN ${CURRENT_SEGMENT_VERSIONS_SQL} AS r ON r.segment_id = m.segment_id AND r.version = m.version
    INNER JOIN ${LIVE_SEGMENT_NAMES_SQL} AS d ON d.id = m.segment_id
    LEFT JOIN (
      SELECT segment_id, person_id, toString(max(at)) AS since FROM segment_membership_changes WHERE change = 'entered' GROUP BY segment_id, person_id
    ) AS c ON c.segment_id = m.segment_id AND c.person_id = m.person_id
    GROUP BY m.person_id`;
  const keys = `SELECT cityHash64(identifier) AS key_hash, person_id, identifiers
      FROM (SELECT person_id, arraySort(groupArray(identifier)) AS identifiers FROM ${IDENTITY_MAP} GROUP BY person_id)
      ARRAY JOIN identifiers AS identifier
    UNION ALL
    SELECT person_id AS key_hash, person_id, [] AS identifiers FROM person_traits
      WHERE version = ${currentVersionSql('traits')} AND person_id NOT IN (SELECT person_id FROM ${IDENTITY_MAP})`;
  return `INSERT INTO person_profiles (version, key_hash, person_id, identifiers, computed, tags, segments, segment_versions)
    SELECT {version:UInt64}, k.key_hash, k.person_id, k.identifiers, t.computed, g.tags, s.segments,
      mapFromArrays({segment_ids:Array(String)}, {segment_versions:Array(UInt64)})
    FROM (${keys}) AS k
    LEFT ANY JOIN (${traits}) AS t ON t.person_id = k.person_id
    LEFT ANY JOIN (${tags}) AS g ON g.person_id = k.person_id
    LEFT ANY JOIN (${segments}) AS s ON s.person_id = k.person_id
    WHERE k.person_id NOT IN (SELECT person_id FROM suppressed_identifiers)`;
}

/**
 * Writes a new snapshot version after an engine refresh (identity, traits, tags and memberships done)
 * as one part, records it and drops the older ones. A person deleted while it was being written is removed from it
 * before it is recorded (the delete itself only saw the older versions).
 */
export async function refreshProfileSnapshots(client: ClickHouseClient): Promise<{ version: number; rows: number }> {
  const version = await nextVersion(client, 'profiles');
  // Read before the insert: the memberships it reads are at least as new as these versions (a refresh
  // recorded in between only makes lookups apply changes the snapshot already has, which is harmless).
  const stateRs = await client.query({ query: `SELECT ${CHANGED_SEGMENT_VERSIONS_SQL} AS segments, toString(now64(3)) AS started`, format: 'JSONEachRow' });
  const { segments, started } = (await stateRs.json<{ segments: [string[], (string | number)[]]; started: string }>())[0]!;
  await client.command({ query: profileSnapshotsInsertSql(), query_params: { version, segment_ids: segments[0], segment_versions: segments[1].map(Number) } });
  // One part per version: a point read costs ~1-2 ms per part it has to look into (the insert writes
  // ~8 parts for 1.9M rows, and background merges may take a while to get to them).
  await client.command({ query: `OPTIMIZE TABLE person_profiles PARTITION ${Number(version)} FINAL` });
  // The new part's marks into the cache now, not in the first lookups after every refresh. At 1.9M rows,
  // runs right after a rewrite had 65-140 ms lookups without it and a 30-38 ms max in two runs with it;
  // rarer slow lookups remain (bench/results.md).
  await client.command({ query: 'SYSTEM PREWARM MARK CACHE person_profiles' });
  const params = { version, started };
  const lateRs = await client.query({
    query: 'SELECT count() AS n FROM suppressed_identifiers WHERE suppressed_at >= {started:DateTime64(3)}',
    query_params: params,
    format: 'JSONEachRow',
  });
  if (Number((await lateRs.json<{ n: string }>())[0]!.n) > 0) {
    await client.command({
      query: `DELETE FROM person_profiles WHERE version = {version:UInt64}
        AND person_id IN (SELECT person_id FROM suppressed_identifiers WHERE suppressed_at >= {started:DateTime64(3)})`,
      query_params: params,
    });
  }
  const rs = await client.query({ query: 'SELECT count() AS n FROM person_profiles WHERE version = {version:UInt64}', query_params: { version }, format: 'JSONEachRow' });
  const rows = Number((await rs.json<{ n: string }>())[0]!.n);
  // The segment versions every row recorded, for lookups to know which segments changed since (segment-catalog.ts).
  const segmentVersions = Object.fromEntries(segments[0].map((id, i) => [id, Number(segments[1][i])]));
  await recordRun(client, 'profiles', version, { rows, segmentVersions });
  invalidateSegmentCatalog(); // lookups learn the new snapshot's recorded segment versions
  // Unlike the other versioned tables, no older version is kept: lookups read the newest row of every
  // version they find (no engine_runs read), so an older one only costs them time. A query already
  // reading an older part keeps it until it finishes.
  const old = await client.query({ query: 'SELECT DISTINCT version FROM person_profiles WHERE version < {version:UInt64}', query_params: { version }, format: 'JSONEachRow' });
  for (const row of await old.json<{ version: string }>()) {
    await client.command({ query: `ALTER TABLE person_profiles DROP PARTITION ${Number(row.version)}` });
  }
  return { version, rows };
}
