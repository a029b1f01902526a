import type { ClickHouseClient } from '@clickhouse/client';
import { movedIdentifierHashesSql, SUPPRESSED_HASHES_SQL } from '../sql/person-sql.js';
import { nextVersion, recordRun } from '../refresh/versions.js';
import { channelCodeSql } from './channel-sql.js';

/**
 * The person event timeline (migration 0033): which events it holds, the columns a funnel may use
 * from it, and how it is written and found.
 */

/** The events the timeline holds: track events and the landing-page views funnels use as touches. */
export const TIMELINE_EVENTS_SQL = `(event != '' OR (type = 'page' AND (session_start OR campaign_tagged)))`;

/** A landing page packed as in `last_touch`: time in milliseconds · 16 + channel code (0 for other rows). */
export const TOUCH_OF_ROW_SQL = `if(event = '', toUInt64(toUnixTimestamp64Milli(timestamp)) * 16 + ${channelCodeSql()}, 0)`;

/**
 * `last_touch` of each row: a running max over the person's rows in time order (RANGE: a touch at the
 * same millisecond counts as before) of `TOUCH_OF_ROW_SQL`.
 */
export const LAST_TOUCH_SQL = `max(${TOUCH_OF_ROW_SQL}) OVER (PARTITION BY person_id ORDER BY timestamp RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;

/** The `events` columns the timeline has (besides `person_id`): a query using only these can read it. */
export const TIMELINE_COLUMNS: ReadonlySet<string> = new Set(['key_hash', 'timestamp', 'event', 'type', 'channel', 'campaign_tagged', 'session_start', 'device_type']);

/** A written timeline a query can read: the events up to `watermark` (a block number), joined with identity `identityVersion`. */
export interface PersonTimeline {
  version: number;
  watermark: number;
  identityVersion: number;
  /**
   * The active `events` parts that hold newer events (highest block number above the watermark) when
   * the timeline was looked up: a query reads events besides the timeline only when there are some.
   */
  newerParts: string[];
  /**
   * Persons of this version whose rows carry an outdated `last_touch` (a late landing page appended by
   * the catch-up, `person_event_timeline_stale`): a channel breakdown reads their landing pages.
   */
  stalePersons: boolean;
}

/**
 * The moved identifiers (`movedIdentifierHashesSql`) the timeline was joined with, as written with it
 * (`person_event_timeline_keys`), for the keys of `keysSql` only (a subquery returning key hashes): a
 * primary-key read of a few rows.
 */
export function timelineMovedKeysSql(keysSql: string): string {
  return `(SELECT key_hash, person_id FROM person_event_timeline_keys WHERE version = {tl_version:UInt64} AND key_hash IN (${keysSql}))`;
}

/** Query parameters that go with SQL reading `timeline`. */
export function timelineParams(timeline: PersonTimeline): Record<string, unknown> {
  return { tl_version: timeline.version, tl_watermark: timeline.watermark, tl_identity: timeline.identityVersion };
}

/**
 * Writes a new timeline version after identity resolution: every event of `TIMELINE_EVENTS_SQL` stored
 * so far (up to the highest block number of the active parts, read first: a part with a lower number is
 * already visible), joined with the current identity version; then records it and drops older versions.
 * Events of suppressed identifiers are left out (readers do not check the suppression list).
 */
export async function refreshPersonTimeline(client: ClickHouseClient): Promise<PersonTimeline & { rows: number }> {
  const version = await nextVersion(client, 'timeline');
  const rs = await client.query({
    query: `SELECT
        (SELECT max(max_block_number) FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active) AS watermark,
        (SELECT max(version) FROM engine_runs WHERE kind = 'identity') AS identity,
        toString(now64(3)) AS started`,
    format: 'JSONEachRow',
  });
  const head = (await rs.json<{ watermark: string | null; identity: string; started: string }>())[0]!;
  const timeline = { version, watermark: Number(head.watermark ?? 0), identityVersion: Number(head.identity), newerParts: [], stalePersons: false };
  // The key map first: the timeline is joined with it (the identity map's identifiers hashed once).
  await client.command({
    query: `INSERT INTO person_event_timeline_keys (version, key_hash, person_id)
      SELECT {tl_version:UInt64}, key_hash, person_id FROM ${movedIdentifierHashesSql('{tl_identity:UInt64}')}`,
    query_params: timelineParams(timeline),
  });
  await client.command({
    query: `INSERT INTO person_event_timeline (version, person_id, key_hash, timestamp, event, type, channel, campaign_tagged, session_start, device_type, last_touch)
      SELECT {tl_version:UInt64}, person_id, key_hash, timestamp, event, type, channel, campaign_tagged, session_start, device_type,
        ${LAST_TOUCH_SQL}
      FROM (
        SELECT if(m.person_id != 0, m.person_id, e.key_hash) AS person_id, e.key_hash AS key_hash, e.timestamp AS timestamp, e.event AS event,
          e.type AS type, e.channel AS channel, e.campaign_tagged AS campaign_tagged, e.session_start AS session_start, e.device_type AS device_type
        FROM (SELECT key_hash, timestamp, event, type, channel, campaign_tagged, session_start, device_type FROM events
          WHERE _block_number <= {tl_watermark:UInt64} AND ${TIMELINE_EVENTS_SQL} AND key_hash NOT IN ${SUPPRESSED_HASHES_SQL}) AS e
        LEFT ANY JOIN (SELECT key_hash, person_id FROM person_event_timeline_keys WHERE version = {tl_version:UInt64}) AS m
          ON m.key_hash = e.key_hash)`,
    query_params: timelineParams(timeline),
  });
  // A person deleted while this was written: the delete only saw the older versions.
  await deleteSuppressedSince(client, timeline.version, head.started, ['person_event_timeline', 'person_event_timeline_keys']);
  const countRs = await client.query({ query: 'SELECT count() AS n FROM person_event_timeline WHERE version = {v:UInt64}', query_params: { v: version }, format: 'JSONEachRow' });
  const rows = Number((await countRs.json<{ n: string }>())[0]!.n);
  await recordRun(client, 'timeline', version, { rows, watermark: timeline.watermark, identityVersion: timeline.identityVersion });
  await dropOlderTimelines(client);
  return { ...timeline, rows };
}

/**
 * Deletes from timeline `version` the rows of identifiers suppressed (persons deleted) at or after
 * `started` (ClickHouse DateTime64 text), when there are any: a lightweight delete is a mutation of
 * every part, not to be run for nothing.
 */
export async function deleteSuppressedSince(client: ClickHouseClient, version: number, started: string,
  tables: ReadonlyArray<'person_event_timeline' | 'person_event_timeline_keys'>): Promise<void> {
  const params = { tl_version: version, started };
  const since = `(SELECT cityHash64(identifier) FROM suppressed_identifiers WHERE suppressed_at >= {started:DateTime64(3)})`;
  const rs = await client.query({ query: 'SELECT count() AS n FROM suppressed_identifiers WHERE suppressed_at >= {started:DateTime64(3)}', query_params: params, format: 'JSONEachRow' });
  if (Number((await rs.json<{ n: string }>())[0]!.n) === 0) return;
  for (const table of tables) {
    await client.command({ query: `DELETE FROM ${table} WHERE version = {tl_version:UInt64} AND key_hash IN ${since}`, query_params: params });
  }
}

/** Drops timeline versions (and their key maps and stale persons) older than the previous one (that one stays for queries still reading it). */
async function dropOlderTimelines(client: ClickHouseClient): Promise<void> {
  const rs = await client.query({
    query: `SELECT DISTINCT table, partition_id FROM system.parts WHERE database = currentDatabase()
      AND table IN ('person_event_timeline', 'person_event_timeline_keys', 'person_event_timeline_stale') AND active
      AND toUInt64(splitByChar('-', partition_id)[1]) < (SELECT max(version) FROM engine_runs WHERE kind = 'timeline'
        AND version < (SELECT max(version) FROM engine_runs WHERE kind = 'timeline'))`,
    format: 'JSONEachRow',
  });
  for (const { table, partition_id: id } of await rs.json<{ table: string; partition_id: string }>()) {
    // Names and ids from system.parts (version or version-month), not user input; checked anyway.
    if (!/^\d+(-\d+)?$/.test(id) || !/^person_event_timeline(_keys|_stale)?$/.test(table)) throw new Error(`unexpected partition ${table} ${id}`);
    await client.command({ query: `ALTER TABLE ${table} DROP PARTITION ID '${id}'` });
  }
}

/**
 * The current timeline, when a query can use it (its latest record: a catch-up records the same version
 * with a higher watermark): its identity version must still be stored (the
 * current or the previous one: older ones are dropped). Undefined before the first refresh.
 */
export async function currentPersonTimeline(client: ClickHouseClient): Promise<PersonTimeline | undefined> {
  const rs = await client.query({
    query: `SELECT version, JSONExtractUInt(stats, 'watermark') AS watermark, JSONExtractUInt(stats, 'identityVersion') AS identity,
        identity IN (SELECT version FROM engine_runs WHERE kind = 'identity' ORDER BY version DESC LIMIT 2) AS usable,
        (SELECT groupArray(name) FROM system.parts WHERE database = currentDatabase() AND table = 'events' AND active AND max_block_number > watermark) AS parts,
        version IN (SELECT DISTINCT version FROM person_event_timeline_stale) AS stale
      FROM engine_runs WHERE kind = 'timeline' ORDER BY version DESC, watermark DESC LIMIT 1`,
    format: 'JSONEachRow',
  });
  type Row = { version: string; watermark: string; identity: string; usable: number | boolean; parts: string[]; stale: number | boolean };
  const row = (await rs.json<Row>())[0];
  if (!row || !row.usable) return undefined;
  return { version: Number(row.version), watermark: Number(row.watermark), identityVersion: Number(row.identity), newerParts: row.parts, stalePersons: Boolean(Number(row.stale)) };
}
