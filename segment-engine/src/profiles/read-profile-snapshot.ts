import type { ClickHouseClient } from '@clickhouse/client';
import { readSegmentCatalog, segmentsChangedSince } from '../segments/segment-catalog.js';
import { POINT_READ_SETTINGS, eventsOfIdentifiersSql, RECENT_EVENTS_AGGREGATE, membershipChangesSql, type ChangeRow, type RecentEventTuple } from './profile-read-sql.js';

/** What the latest profile snapshot (migrations 0014, 0015) holds for a person, besides its identifiers. */
export interface ProfileSnapshot {
  /** The person's `person_traits` row as JSON text, `''` when it has none. */
  computed: string;
  tags: string[];
  /** Memberships when the snapshot was written, with the names of then (`since` `''` when unknown). */
  segments: { id: string; name: string; since: string }[];
  /**
   * Segments refreshed with changes since the snapshot, each with the version of its latest such
   * refresh: `loadProfile` applies the person's changes of just these.
   */
  changedSegments: Map<string, number>;
  /** Segments that exist now (not deleted), with their current names. */
  liveSegments: Map<string, string>;
  /** No live segment refreshed with changes since the snapshot: its memberships are current (names and deletions are applied from `liveSegments` either way). */
  segmentsCurrent: boolean;
  /**
   * Read in the same query as the snapshot: the person's newest `limit` events (live: events stored
   * after the snapshot show) and its membership changes in `changedSegments`.
   */
  recent: { limit: number; events: RecentEventTuple[]; changes: ChangeRow[] };
}

export interface SnapshotPerson {
  personId: string;
  identifiers: string[];
  snapshot: ProfileSnapshot;
}

type Num = number | string;
type Row = {
  pid: string | null; identifiers: string[]; computed: string; tags: string[]; segments: ProfileSnapshot['segments'];
  segment_versions: Record<string, Num>; _events: RecentEventTuple[]; _changes?: ChangeRow[];
};

/**
 * One query: the person of the first of `candidates` that has a row in the latest snapshot, with the
 * snapshot (a primary-key read as a scalar subquery: `has` over the candidates' hashes becomes a set the
 * index uses), and that person's newest `{limit}` events, read with `eventsOfIdentifiersSql` over the
 * identifiers the snapshot lists (a key lookup in the events projection `by_identifier`). With
 * `withChanges`, also its changes in the segments `{changed}`. A person without edges has no
 * identifiers in its row: the candidate whose hash matched is its only one.
 */
function snapshotSql(withChanges: boolean): string {
  return `WITH arrayMap(k -> cityHash64(k), {ids:Array(String)}) AS _hashes,
    (SELECT tuple(person_id, computed, tags, segments, segment_versions,
        if(empty(identifiers), [arrayFirst(k -> cityHash64(k) = key_hash, {ids:Array(String)})], identifiers))
      FROM person_profiles WHERE has(_hashes, key_hash) ORDER BY indexOf(_hashes, key_hash), version DESC LIMIT 1) AS _snap
    SELECT toString(_snap.1) AS pid, _snap.2 AS computed, _snap.3 AS tags, _snap.4 AS segments, _snap.5 AS segment_versions,
      _snap.6 AS identifiers, ${RECENT_EVENTS_AGGREGATE} AS _events${withChanges ? `, (${membershipChangesSql('_snap.1')}) AS _changes` : ''}
    FROM events WHERE ${eventsOfIdentifiersSql("arrayFilter(k -> startsWith(k, 'u:') OR startsWith(k, 'a:'), _snap.6)")}
    ${POINT_READ_SETTINGS}`;
}

/**
 * The person of the first of `candidates` that has a row in the latest snapshot, with the snapshot,
 * its newest `recentEvents` events and its membership changes in the segments refreshed since: one
 * query in the usual case (the segment catalog is cached, see `segment-catalog.ts`). A second query
 * reads the changes when the row's snapshot recorded other segment versions than the catalog expected
 * (a snapshot written by another process since). Undefined for an identifier no refresh has seen yet
 * (or a deleted person: its rows are deleted with it).
 */
export async function readProfileSnapshot(client: ClickHouseClient, candidates: string[], recentEvents = 20): Promise<SnapshotPerson | undefined> {
  const catalog = await readSegmentCatalog(client);
  const expected = [...segmentsChangedSince(catalog, catalog.snapshotSegmentVersions).keys()];
  const rs = await client.query({
    query: snapshotSql(expected.length > 0),
    query_params: { ids: candidates, limit: recentEvents, changed: expected },
    format: 'JSONEachRow',
  });
  const row = (await rs.json<Row>())[0];
  if (!row?.pid) return undefined;
  const changedSegments = segmentsChangedSince(catalog, row.segment_versions);
  let changes = row._changes ?? [];
  if ([...changedSegments.keys()].some((id) => !expected.includes(id))) {
    const more = await client.query({
      query: `SELECT (${membershipChangesSql('{pid:UInt64}')}) AS _changes`,
      query_params: { pid: row.pid, changed: [...changedSegments.keys()] },
      format: 'JSONEachRow',
    });
    changes = (await more.json<{ _changes: ChangeRow[] }>())[0]!._changes;
  }
  return {
    personId: row.pid,
    identifiers: row.identifiers,
    snapshot: {
      computed: row.computed, tags: row.tags, segments: row.segments, changedSegments, liveSegments: catalog.liveSegments,
      segmentsCurrent: changedSegments.size === 0, recent: { limit: recentEvents, events: row._events, changes },
    },
  };
}
