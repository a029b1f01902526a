import type { ClickHouseClient } from '@clickhouse/client';
import { recordRun } from '../refresh/versions.js';
import { newerEventRowsSql } from './person-key-sql.js';
import { currentPersonTimeline, deleteSuppressedSince, LAST_TOUCH_SQL, TIMELINE_EVENTS_SQL, timelineParams, TOUCH_OF_ROW_SQL } from './refresh-person-timeline.js';

/**
 * Keeps the current person event timeline up to date between engine refreshes: appends the events
 * stored since its watermark to the same version, joined with the key map it was written with (exactly
 * as a funnel joins the events it reads outside the timeline), and records the higher watermark. A
 * funnel then reads only the few events stored since the last catch-up besides the timeline, instead of
 * every event since the last full refresh (50,000 of them cost ~0.3 s per funnel at 20M events).
 *
 * `last_touch` of an appended row is the latest landing page at or before it among the person's rows
 * already in the timeline and the appended ones. A landing page that arrives after a later row of its
 * person was written ("late": that row's `last_touch` would have to change) is appended too, but rows
 * are never rewritten: its person is recorded in `person_event_timeline_stale`, and a funnel's channel
 * breakdown reads that person's landing pages instead of `last_touch` until the next full refresh.
 */

export interface TimelineCatchUp {
  version: number;
  /** The watermark before and after (block numbers). */
  from: number;
  watermark: number;
  /** Rows appended (events of the timeline's kinds stored since). */
  appended: number;
  /** Persons recorded as stale by this catch-up (a late landing page of theirs, see above). */
  latePersons: number;
}

const COLUMNS = ['key', 'timestamp', 'event', 'type', 'channel', 'campaign_tagged', 'session_start', 'device_type'] as const;

/**
 * Appends to the current timeline what was stored since its watermark (see above). Undefined when
 * there is no usable timeline (before the first refresh): nothing to catch up. Not to run concurrently
 * with itself (the engine's scheduler runs it; a full refresh meanwhile is harmless: it records a newer
 * version, which readers pick).
 */
export async function catchUpPersonTimeline(client: ClickHouseClient): Promise<TimelineCatchUp | undefined> {
  const timeline = await currentPersonTimeline(client);
  if (!timeline) return undefined;
  const result = { version: timeline.version, from: timeline.watermark, watermark: timeline.watermark, appended: 0, latePersons: 0 };
  if (timeline.newerParts.length === 0) return result;
  const head = await firstRow<{ upto: string; started: string }>(client, `SELECT
      (SELECT max(max_block_number) FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active) AS upto,
      toString(now64(3)) AS started`);
  const params = { ...timelineParams(timeline), upto: Number(head.upto) };
  // The events to append, as a funnel would read them (`newerEventRowsSql`), up to `upto`.
  const rowsUpTo = (where: string) =>
    newerEventRowsSql(COLUMNS.map((c) => (c === 'key' ? 'key_hash AS key' : c)).join(', '), COLUMNS, `(${where}) AND _block_number <= {upto:UInt64}`);

  // A late landing page: a row of its person in the timeline at or after it credits an older touch. The
  // person is recorded first: should the append fail, a stale mark too many only costs a funnel time.
  const stalePersons = async () => Number((await firstRow<{ n: string }>(client,
    'SELECT uniqExact(person_id) AS n FROM person_event_timeline_stale WHERE version = {tl_version:UInt64}', params)).n);
  const staleBefore = await stalePersons();
  await client.command({
    query: `INSERT INTO person_event_timeline_stale (version, person_id)
      SELECT DISTINCT {tl_version:UInt64}, n.person_id FROM (
        ${newerEventRowsSql(`timestamp, ${TOUCH_OF_ROW_SQL} AS touch`, ['timestamp', 'touch'], `${TIMELINE_EVENTS_SQL} AND event = '' AND _block_number <= {upto:UInt64}`)}
      ) AS n
      INNER JOIN (SELECT person_id, timestamp, last_touch FROM person_event_timeline WHERE version = {tl_version:UInt64}
        AND person_id IN (SELECT person_id FROM (${rowsUpTo(`${TIMELINE_EVENTS_SQL} AND event = ''`)}))) AS t ON t.person_id = n.person_id
      WHERE t.timestamp >= n.timestamp AND t.last_touch < n.touch`,
    query_params: params,
  });
  result.latePersons = (await stalePersons()) - staleBefore;

  const before = await rowCount(client, params);
  // last_touch: a running max over the appended rows and the person's landing pages in the timeline.
  const appended = rowsUpTo(TIMELINE_EVENTS_SQL);
  await client.command({
    query: `INSERT INTO person_event_timeline (version, person_id, key_hash, timestamp, event, type, channel, campaign_tagged, session_start, device_type, last_touch)
      SELECT {tl_version:UInt64}, person_id, key, timestamp, event, type, channel, campaign_tagged, session_start, device_type, last_touch
      FROM (
        SELECT *, ${LAST_TOUCH_SQL} AS last_touch
        FROM (
          SELECT 1 AS is_new, * FROM (${appended})
          UNION ALL
          SELECT 0 AS is_new, person_id, key_hash AS key, timestamp, event, type, channel, campaign_tagged, session_start, device_type
          FROM person_event_timeline WHERE version = {tl_version:UInt64} AND is_touch AND person_id IN (SELECT person_id FROM (${appended}))))
      WHERE is_new`,
    query_params: params,
  });
  // A person deleted while this ran: the delete only saw the rows before it.
  await deleteSuppressedSince(client, timeline.version, head.started, ['person_event_timeline']);
  const rows = await rowCount(client, params);
  result.watermark = params.upto;
  result.appended = rows - before;
  await recordRun(client, 'timeline', timeline.version, { rows, watermark: params.upto, identityVersion: timeline.identityVersion, caughtUpFrom: timeline.watermark });
  return result;
}

async function rowCount(client: ClickHouseClient, params: Record<string, unknown>): Promise<number> {
  return Number((await firstRow<{ n: string }>(client, 'SELECT count() AS n FROM person_event_timeline WHERE version = {tl_version:UInt64}', params)).n);
}

async function firstRow<T>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T> {
  const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return (await rs.json<T>())[0]!;
}
