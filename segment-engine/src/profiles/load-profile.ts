import type { ClickHouseClient } from '@clickhouse/client';
import { KIND_NAMES, kindOf } from '../identity/identifier.js';
import { eventParams, eventsOfIdentifiersSql, type PersonRef } from './find-person.js';
import type { ProfileSnapshot } from './read-profile-snapshot.js';
import { POINT_READ_SETTINGS, RECENT_EVENTS_AGGREGATE, membershipChangesSql, type ChangeRow, type RecentEventTuple } from './profile-read-sql.js';
import { CURRENT_SEGMENT_VERSIONS_SQL, LIVE_SEGMENT_NAMES_SQL } from '../segments/current-membership-sql.js';

export interface Profile {
  personId: string;
  identities: { kind: string; value: string }[];
  traits: Record<string, unknown>;
  computedTraits: Record<string, unknown> | null;
  tags: string[];
  segments: { id: string; name: string; since: string | null }[];
  recentEvents: { timestamp: string; type: string; event: string; properties: Record<string, unknown> }[];
}

const DAY_MS = 86_400_000;

type SegmentRow = { id: string; name: string; since: string | null };
type EventRow = { timestamp: string; type: string; event: string; properties: string };

/**
 * Current memberships of `{pid}` in the segments `{segments}` (those it has rows for) with the
 * segment's name and when the person last entered it. Planning these joins costs ~10 ms, so it runs
 * only for a person with membership rows.
 */
const SEGMENTS_SQL = `SELECT m.segment_id AS id, d.name AS name, c.since AS since
  FROM (SELECT segment_id, version FROM segment_members WHERE segment_id IN {segments:Array(String)} AND person_id = {pid:UInt64}) m
  INNER JOIN ${CURRENT_SEGMENT_VERSIONS_SQL} r ON r.segment_id = m.segment_id AND r.version = m.version
  INNER JOIN ${LIVE_SEGMENT_NAMES_SQL} d ON d.id = m.segment_id
  LEFT JOIN (
    SELECT segment_id, toString(max(at)) AS since FROM segment_membership_changes
    WHERE segment_id IN {segments:Array(String)} AND person_id = {pid:UInt64} AND change = 'entered'
    GROUP BY segment_id
  ) c ON c.segment_id = m.segment_id
  ORDER BY d.name`;

/**
 * The latest events of the identifiers: their userIds, and their anonymous ids on events without a
 * userId, by key hash: a key lookup in the events projection `by_identifier` (key_hash, timestamp), so
 * one read of a few adjacent granules per part answers it.
 */
const RECENT_EVENTS_SQL = `SELECT ${RECENT_EVENTS_AGGREGATE} FROM events WHERE ${eventsOfIdentifiersSql()}`;

/** What a profile shows besides identities and events, from the tables or from a snapshot. */
interface Parts {
  traitsRow: Record<string, unknown> | undefined;
  tags: string[];
  segments: SegmentRow[];
  events: RecentEventTuple[];
}

type Params = { pid: string; event_keys: string[]; limit: number };
const run = async <T>(client: ClickHouseClient, query: string, params: Record<string, unknown>) =>
  (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();

/** Names and entry times of the person's current memberships among the segments it has rows for. */
async function segmentsOf(client: ClickHouseClient, pid: string, segmentIds: string[]): Promise<SegmentRow[]> {
  if (segmentIds.length === 0) return [];
  return (await run<SegmentRow>(client, SEGMENTS_SQL, { pid, segments: segmentIds })).map((r) => ({ ...r, since: r.since || null }));
}

const SEGMENT_IDS_SQL = `SELECT groupUniqArray(segment_id) FROM segment_members WHERE person_id = {pid:UInt64}`;

/**
 * From the tables: the traits row with tags, the segments it has membership rows in and recent events
 * as scalar subqueries (each query costs a few milliseconds of fixed overhead in chDB, and the
 * connection runs them one at a time). A second one for a person without a traits row (events newer
 * than the last refresh), and one for the names and entry times of its segments when it has membership
 * rows.
 */
async function partsFromTables(client: ClickHouseClient, params: Params): Promise<Parts> {
  // Both current versions from one read of engine_runs (0 before the first refresh: nothing matches).
  const versions = `WITH (SELECT (maxIf(version, kind = 'traits'), maxIf(version, kind = 'tags')) FROM engine_runs) AS _v`;
  const tagsSql = `SELECT groupArray(tag) FROM person_tags WHERE version = _v.2 AND person_id = {pid:UInt64}`; // sorted below
  const rest = `(${tagsSql}) AS _tags, (${SEGMENT_IDS_SQL}) AS _segments, (${RECENT_EVENTS_SQL}) AS _events`;
  type Row = Record<string, unknown> & { _tags: string[]; _segments: string[]; _events: Parts['events'] };
  const withTraits = (await run<Row>(client, `${versions} SELECT * EXCEPT (version, person_id), ${rest} FROM person_traits WHERE version = _v.1 AND person_id = {pid:UInt64} ${POINT_READ_SETTINGS}`, params))[0];
  const { _tags, _segments, _events, ...traitsRow } = withTraits ?? (await run<Row>(client, `${versions} SELECT ${rest} ${POINT_READ_SETTINGS}`, params))[0]!;
  return { traitsRow: withTraits ? traitsRow : undefined, tags: _tags.sort(), segments: await segmentsOf(client, params.pid, _segments), events: _events };
}

const CHANGES_SQL = membershipChangesSql('{pid:UInt64}');

/**
 * The snapshot's memberships brought up to date: for each segment refreshed with changes since the
 * snapshot (`changedSegments`, with its latest such version), the person is a member when its last
 * change up to that version is an entry (changes of a refresh not yet recorded in `segment_refreshes`
 * are left out, as the tables' answer leaves that version out), and `since` is its latest entry, as in
 * `SEGMENTS_SQL`. Then only segments that exist now, under their current names, ordered by name.
 */
export function currentSegments(snapshot: ProfileSnapshot, changes: ChangeRow[]): SegmentRow[] {
  const out: SegmentRow[] = snapshot.segments.filter((s) => !snapshot.changedSegments.has(s.id)).map((s) => ({ ...s, since: s.since || null }));
  for (const [id, upTo] of snapshot.changedSegments) {
    let last: { version: number; entered: boolean } | undefined;
    let since = '';
    for (const [segmentId, change, v, at] of changes) {
      if (segmentId !== id) continue;
      const version = Number(v);
      if (change === 'entered' && at > since) since = at;
      if (version <= upTo && (!last || version > last.version)) last = { version, entered: change === 'entered' };
    }
    if (last?.entered) out.push({ id, name: '', since: since || null });
  }
  return out
    .filter((s) => snapshot.liveSegments.has(s.id))
    .map((s) => ({ ...s, name: snapshot.liveSegments.get(s.id)! }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * From a snapshot: the recent events and membership changes `findPerson` read with it (events stored
 * after the snapshot show: they are read live). When more events are asked for than it read, they are
 * read again, with the changes in the same query. Names and deleted segments come from the segment
 * catalog `findPerson` used.
 */
async function partsFromSnapshot(client: ClickHouseClient, params: Params, snapshot: ProfileSnapshot): Promise<Parts> {
  let { events, changes } = snapshot.recent;
  if (params.limit > snapshot.recent.limit) {
    type Row = { _events: Parts['events']; _changes?: ChangeRow[] };
    const changed = [...snapshot.changedSegments.keys()];
    const withChanges = changed.length === 0 ? '' : `, (${CHANGES_SQL}) AS _changes`;
    const row = (await run<Row>(client, `SELECT ${RECENT_EVENTS_AGGREGATE} AS _events${withChanges}
      FROM events WHERE ${eventsOfIdentifiersSql()} ${POINT_READ_SETTINGS}`, { ...params, changed }))[0]!;
    events = row._events;
    changes = row._changes ?? [];
  }
  const traitsRow = snapshot.computed ? (JSON.parse(snapshot.computed) as Record<string, unknown>) : undefined;
  return { traitsRow, tags: snapshot.tags, segments: currentSegments(snapshot, changes), events: events.slice(0, params.limit) };
}

/**
 * Everything known about one person (the profiles API answer): from its snapshot when `findPerson`
 * found it through one (then it reads nothing more, usually), else from the tables.
 */
export async function loadProfile(client: ClickHouseClient, person: PersonRef, recentEvents = 20, now = new Date()): Promise<Profile> {
  const pid = person.personId;
  const params = { pid, ...eventParams(person.identifiers), limit: recentEvents };
  const { traitsRow: row, tags, segments: segmentRows, events: rawEvents } = person.snapshot
    ? await partsFromSnapshot(client, params, person.snapshot)
    : await partsFromTables(client, params);
  const events: EventRow[] = rawEvents.map(([, timestamp, type, event, properties]) => ({ timestamp, type, event, properties }));
  let computed: Record<string, unknown> | null = null;
  let traits: Record<string, unknown> = {};
  if (row) {
    const { traits: traitsJson, discount_orders, ...rest } = row as Record<string, unknown> & { traits: string; discount_orders: number };
    traits = JSON.parse(traitsJson || '{}') as Record<string, unknown>;
    const orders = Number(rest.orders_count);
    const last = rest.last_order_at as string | null;
    computed = {
      ...rest,
      discount_share: orders > 0 ? Number(discount_orders) / orders : 0,
      days_since_last_order: last ? Math.floor((now.getTime() - Date.parse(`${last.replace(' ', 'T')}Z`)) / DAY_MS) : null,
    };
  }
  return {
    personId: pid,
    identities: person.identifiers.map((id) => ({ kind: KIND_NAMES[kindOf(id) ?? 'a'], value: id.slice(2) })),
    traits,
    computedTraits: computed,
    tags,
    segments: segmentRows,
    recentEvents: events.map((e) => ({ ...e, properties: JSON.parse(e.properties || '{}') as Record<string, unknown> })),
  };
}
