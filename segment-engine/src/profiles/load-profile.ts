import type { ClickHouseClient } from '@clickhouse/client';
import { KIND_NAMES, kindOf } from '../identity/identifier.js';
import { CURRENT_TRAITS_SQL } from '../traits/refresh-person-traits.js';
import { currentVersionSql } from '../sql/person-sql.js';
import { eventParams, type PersonRef } from './find-person.js';

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

/** Everything known about one person (the profiles API answer). */
export async function loadProfile(client: ClickHouseClient, person: PersonRef, recentEvents = 20, now = new Date()): Promise<Profile> {
  const pid = person.personId;
  const q = async <T>(query: string, params: Record<string, unknown>) => (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  const [traitsRows, tagRows, segmentRows, events] = await Promise.all([
    q<Record<string, unknown>>(`SELECT * EXCEPT (version, person_id) FROM ${CURRENT_TRAITS_SQL} WHERE person_id = {pid:UInt64}`, { pid }),
    q<{ tag: string }>(`SELECT tag FROM person_tags WHERE version = ${currentVersionSql('tags')} AND person_id = {pid:UInt64} ORDER BY tag`, { pid }),
    q<{ id: string; name: string; since: string | null }>(
      `SELECT m.segment_id AS id, d.name AS name,
          (SELECT toString(max(at)) FROM segment_membership_changes c WHERE c.segment_id = m.segment_id AND c.person_id = {pid:UInt64} AND c.change = 'entered') AS since
        FROM segment_members m
        INNER JOIN (SELECT segment_id, max(version) AS version FROM segment_refreshes GROUP BY segment_id) r ON r.segment_id = m.segment_id AND r.version = m.version
        INNER JOIN (SELECT id, name FROM segment_definitions FINAL WHERE deleted = 0 AND kind = 'segment') d ON d.id = m.segment_id
        WHERE m.person_id = {pid:UInt64} ORDER BY d.name`,
      { pid },
    ),
    // Two branches, each served by its own bloom-filter index (an OR across two columns reads every row).
    q<{ timestamp: string; type: string; event: string; properties: string }>(
      `SELECT toString(ts) AS timestamp, type, event, properties FROM (
          SELECT timestamp AS ts, type, if(event != '', event, name) AS event, properties FROM events
            WHERE user_id IN {users:Array(String)} ORDER BY ts DESC LIMIT {limit:UInt32}
          UNION ALL
          SELECT timestamp AS ts, type, if(event != '', event, name) AS event, properties FROM events
            WHERE user_id = '' AND anonymous_id IN {anons:Array(String)} ORDER BY ts DESC LIMIT {limit:UInt32}
        ) ORDER BY ts DESC LIMIT {limit:UInt32}`,
      { ...eventParams(person.identifiers), limit: recentEvents },
    ),
  ]);
  const row = traitsRows[0];
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
    tags: tagRows.map((r) => r.tag),
    segments: segmentRows,
    recentEvents: events.map((e) => ({ ...e, properties: JSON.parse(e.properties || '{}') as Record<string, unknown> })),
  };
}
