import type { ClickHouseClient } from '@clickhouse/client';

/**
 * What a profile lookup needs to know about segments besides the person's own rows: which segments
 * exist (names) and, per segment, its latest membership refresh that changed members. Two tiny tables,
 * but reading them costs chDB ~5-7 ms per lookup at 1M shoppers (two more subqueries to plan), so they
 * are cached: writes in this process (definitions, membership refreshes, snapshots) drop the cache at
 * once; writes by another process show after `CATALOG_MAX_AGE_MS` at most.
 */
export interface SegmentCatalog {
  /** Per segment, the version of its latest membership refresh in which someone entered or left. */
  changedVersions: Map<string, number>;
  /** Segments that exist now (not deleted), with their current names. */
  liveSegments: Map<string, string>;
  /** `segment_versions` of the latest profile snapshot (every row of a snapshot version holds the same). */
  snapshotSegmentVersions: Record<string, number>;
}

/** How stale the cached catalog may get through writes of other processes sharing the database. */
export const CATALOG_MAX_AGE_MS = 5000;

/**
 * Per segment, the version of its latest membership refresh that changed members (a refresh nobody
 * entered or left changes no membership and no entry time): `(segment ids, versions)`. A profile
 * snapshot records it when it is written (`segment_versions`); a lookup that finds a higher version for
 * a segment applies that segment's changes since (see `load-profile.ts`).
 */
export const CHANGED_SEGMENT_VERSIONS_SQL = `(SELECT maxMap([segment_id], [if(entered > 0 OR left > 0, version, 0)]) FROM segment_refreshes)`;

/** Segment definitions as (id, name, revision, deleted), every stored revision: the highest revision of each id wins. */
const DEFINITIONS_SQL = `(SELECT groupArray((id, name, revision, deleted)) FROM segment_definitions WHERE kind = 'segment')`;

/**
 * The run record of the latest profile snapshot: its stats hold the segment versions it recorded
 * (`segmentVersions`, see `refresh-profile-snapshots.ts`), the same in each of its rows. A tiny table,
 * unlike reading them from a snapshot row (~6 ms more per catalog read at 1.9M rows).
 */
const SNAPSHOT_RUN_SQL = `(SELECT argMax(stats, version) FROM engine_runs WHERE kind = 'profiles')`;

type Num = number | string;
type Row = { changed: [string[], Num[]]; definitions: [string, string, Num, number][]; snapshot_run: string };

let generation = 0;
const cache = new WeakMap<ClickHouseClient, { catalog: SegmentCatalog; at: number; generation: number }>();

/** Drops every cached catalog: call after writing segment definitions, membership refreshes or profile snapshots. */
export function invalidateSegmentCatalog(): void {
  generation += 1;
}

/** The segment catalog, from the cache when it is fresh (see `SegmentCatalog`). */
export async function readSegmentCatalog(client: ClickHouseClient, now = Date.now()): Promise<SegmentCatalog> {
  const hit = cache.get(client);
  if (hit && hit.generation === generation && now - hit.at < CATALOG_MAX_AGE_MS) return hit.catalog;
  const startedAt = generation;
  const rs = await client.query({
    query: `SELECT ${CHANGED_SEGMENT_VERSIONS_SQL} AS changed, ${DEFINITIONS_SQL} AS definitions, ${SNAPSHOT_RUN_SQL} AS snapshot_run`,
    format: 'JSONEachRow',
  });
  const row = (await rs.json<Row>())[0]!;
  const liveSegments = liveSegmentNames(row.definitions);
  const changedVersions = new Map<string, number>();
  row.changed[0].forEach((id, i) => changedVersions.set(id, Number(row.changed[1][i])));
  // A snapshot recorded without them (older runs, or none yet): every changed segment is expected to
  // need its changes read, a superset that costs a subquery but is never wrong.
  const recorded = (row.snapshot_run ? (JSON.parse(row.snapshot_run) as { segmentVersions?: Record<string, Num> }).segmentVersions : undefined) ?? {};
  const snapshotSegmentVersions = Object.fromEntries(Object.entries(recorded).map(([id, v]) => [id, Number(v)]));
  const catalog = { changedVersions, liveSegments, snapshotSegmentVersions };
  // A write that happened while this read ran may not be in it: keep it only when there was none.
  if (startedAt === generation) cache.set(client, { catalog, at: now, generation });
  return catalog;
}

/**
 * The live segments whose members changed after the versions a snapshot recorded, each with the
 * version of its latest such refresh (a deleted segment is dropped from answers anyway: no read needed).
 */
export function segmentsChangedSince(catalog: SegmentCatalog, recorded: Record<string, Num>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, version] of catalog.changedVersions) {
    if (version > Number(recorded[id] ?? 0) && catalog.liveSegments.has(id)) out.set(id, version);
  }
  return out;
}

/** Live segments and their names from every revision of the definitions: the highest revision of an id, unless a tombstone. */
function liveSegmentNames(definitions: Row['definitions']): Map<string, string> {
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
