import type { StateClient } from '../audiences/clickhouse-audience-state-store.js';
import { createProfileMemberLoader } from '../audiences/profile-member-loader.js';
import type { TrackedEvent } from '../connector.js';
import type { AudienceMember } from '../identifiers/member.js';
import type { FeedCursor } from './feed-state-store.js';

export interface FeedEventsQuery {
  eventNames: string[];
  /** Only these sources; all when empty. */
  sourceIds: string[];
  after: FeedCursor;
  /** DateTime64(3) text: read only events received at or before it (settled). */
  until: string;
  /** DateTime64(3) text: skip events whose own time is older (Meta rejects > 7 days; also prunes partitions). */
  minTimestamp: string;
  limit: number;
}

/** A stored event with what the feed needs to decide and map it. */
export interface FeedEvent {
  cursor: FeedCursor;
  event: TrackedEvent;
  /** The person's profile, when the identity map knows one. */
  member?: AudienceMember;
  /** The SDK recorded the shopper's marketing choice on the event; false means refused. */
  marketingConsent?: boolean;
}

interface EventRowSlice {
  message_id: string; event: string; timestamp_text: string; received_text: string; user_id: string; anonymous_id: string;
  ip: string; user_agent: string; page_url: string; fbclid: string; properties: string; traits: string; context: string;
}

const iso = (t: string): string => `${t.replace(' ', 'T')}Z`;
const parse = (text: string): Record<string, unknown> => {
  try {
    const v = JSON.parse(text || '{}') as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/**
 * The next page of configured events after the cursor, in (received_at, message_id) order, each with
 * its person's profile (identifiers to hash). Every value is a bound parameter.
 */
export async function readFeedEvents(client: StateClient, q: FeedEventsQuery): Promise<FeedEvent[]> {
  const rs = await client.query({
    // Aliases must not shadow the columns: ClickHouse would compare the WHERE against the text.
    query: `SELECT message_id, event, toString(timestamp) AS timestamp_text, toString(received_at) AS received_text, user_id, anonymous_id,
        ip, user_agent, page_url, fbclid, properties, traits, context
      FROM events
      WHERE type = 'track' AND event IN {names:Array(String)}
        AND (empty({sources:Array(String)}) OR source_id IN {sources:Array(String)})
        AND timestamp >= {minTimestamp:DateTime64(3, 'UTC')}
        AND (received_at, message_id) > ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})
        AND received_at <= {until:DateTime64(3, 'UTC')}
      ORDER BY received_at, message_id
      LIMIT {limit:UInt32}`,
    query_params: { names: q.eventNames, sources: q.sourceIds, minTimestamp: q.minTimestamp, afterAt: q.after.receivedAt, afterId: q.after.messageId, until: q.until, limit: q.limit },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<EventRowSlice>();
  if (rows.length === 0) return [];
  const members = await membersByKey(client, rows.map(keyOf));
  return rows.map((r) => {
    const context = parse(r.context);
    const timestamp = iso(r.timestamp_text);
    const page = (context.page && typeof context.page === 'object' ? context.page : {}) as Record<string, unknown>;
    const consent = (context.consent as { categoryPreferences?: { marketing?: unknown } } | undefined)?.categoryPreferences?.marketing;
    const event: TrackedEvent = {
      messageId: r.message_id,
      event: r.event,
      timestamp,
      ...(r.user_id ? { userId: r.user_id } : {}),
      ...(r.anonymous_id ? { anonymousId: r.anonymous_id } : {}),
      properties: parse(r.properties),
      traits: parse(r.traits),
      context: {
        ...context,
        // The stored columns are what ingest resolved (the client IP, anonymised when configured).
        ...(r.ip ? { ip: r.ip } : {}),
        ...(r.user_agent || typeof context.userAgent === 'string' ? { userAgent: r.user_agent || (context.userAgent as string) } : {}),
        page: { ...page, ...(r.page_url ? { url: r.page_url } : {}) },
        // meta.md §2.6: the SDK's _fbc cookie when present; only without it built from the landing fbclid.
        ...(typeof context.fbc !== 'string' && r.fbclid ? { fbc: `fb.1.${Date.parse(timestamp)}.${r.fbclid}` } : {}),
      },
    };
    const member = members.get(keyOf(r));
    return {
      cursor: { receivedAt: r.received_text, messageId: r.message_id },
      event,
      ...(member ? { member } : {}),
      ...(typeof consent === 'boolean' ? { marketingConsent: consent } : {}),
    };
  });
}

/** The identifier an event belongs to, as identity resolution keys it. */
const keyOf = (r: Pick<EventRowSlice, 'user_id' | 'anonymous_id'>): string => (r.user_id ? `u:${r.user_id}` : `a:${r.anonymous_id}`);

/** Profiles of the events' persons: identifier → person (current identity map; unmapped = its own person) → traits. */
async function membersByKey(client: StateClient, keys: string[]): Promise<Map<string, AudienceMember>> {
  const unique = [...new Set(keys)];
  const rs = await client.query({
    query: `SELECT x.key AS key, toString(if(m.person_id != 0, m.person_id, cityHash64(x.key))) AS pid
      FROM (SELECT arrayJoin({keys:Array(String)}) AS key) AS x
      LEFT ANY JOIN (
        SELECT identifier, person_id FROM identity_map
        WHERE version = (SELECT max(version) FROM engine_runs WHERE kind = 'identity') AND identifier IN {keys:Array(String)}
      ) AS m ON m.identifier = x.key`,
    query_params: { keys: unique },
    format: 'JSONEachRow',
  });
  const pidOf = new Map((await rs.json<{ key: string; pid: string }>()).map((r) => [r.key, r.pid]));
  const loaded = await createProfileMemberLoader(client).load([...new Set(pidOf.values())]);
  const byPid = new Map(loaded.map((m) => [m.personId, m]));
  const out = new Map<string, AudienceMember>();
  for (const [key, pid] of pidOf) {
    const m = byPid.get(pid);
    if (m) out.set(key, m);
  }
  return out;
}
