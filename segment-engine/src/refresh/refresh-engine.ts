import type { ClickHouseClient } from '@clickhouse/client';
import type { Store } from '@sextant/store';
import { extractIdentityEdges } from '../identity/extract-identity-edges.js';
import { resolveIdentities } from '../identity/resolve-identities.js';
import { DEFAULT_IDENTITY_RULES, type IdentityRules } from '../identity/union-find.js';
import { refreshPersonTraits } from '../traits/refresh-person-traits.js';
import { builtInTagsInsertSql } from '../tags/built-in-tags.js';
import { compileSegment, matchingPersonsSql } from '../dsl/compile-segment.js';
import { SegmentRepository } from '../segments/segment-repository.js';
import { refreshSegmentMembership, type MembershipRefresh } from '../segments/refresh-memberships.js';
import { nextVersion, recordRun, dropOldVersions } from './versions.js';
import { purgeSuppressedEvents } from '../privacy/delete-person.js';
import { refreshProfileSnapshots } from '../profiles/refresh-profile-snapshots.js';
import { refreshPersonTimeline } from '../analytics/refresh-person-timeline.js';

export interface EngineOptions {
  identityRules?: IdentityRules;
  /** Region for phone numbers written without a country prefix. */
  defaultPhoneRegion?: string;
}

export interface EngineRefresh {
  identity: Awaited<ReturnType<typeof resolveIdentities>>;
  traits: { version: number; persons: number };
  tags: { version: number; rows: number };
  segments: MembershipRefresh[];
  profiles: { version: number; rows: number };
  timeline: { version: number; rows: number };
  durationMs: number;
  /** Milliseconds each step took, in the order they ran (what to look at when a refresh is slow). */
  stepsMs: Record<string, number>;
}

/**
 * One full refresh, in dependency order: purge events of deleted persons → identity edges → identity
 * map → the person event timeline (for funnels; right after the identity it is joined with) →
 * computed traits → tags (built-in, then user-defined) → segment memberships → profile snapshots
 * (what a lookup shows, from all of the above). Each step writes a new version; readers keep seeing the
 * previous one until it is recorded.
 */
export async function refreshEngine(client: ClickHouseClient, store: Store, options: EngineOptions = {}, now = new Date()): Promise<EngineRefresh> {
  const started = Date.now();
  const stepsMs: Record<string, number> = {};
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await run();
    } finally {
      stepsMs[name] = Date.now() - t;
    }
  };
  await step('purge', () => purgeSuppressedEvents(client));
  await step('edges', () => extractIdentityEdges(client, store, options.defaultPhoneRegion ?? 'US'));
  const identity = await step('identity', () => resolveIdentities(client, store, options.identityRules ?? DEFAULT_IDENTITY_RULES));
  const timeline = await step('timeline', () => refreshPersonTimeline(client));
  const traits = await step('traits', () => refreshPersonTraits(client));
  const tags = await step('tags', () => refreshTags(client, now));
  const segments = await step('segments', async () => {
    const done: MembershipRefresh[] = [];
    for (const segment of await new SegmentRepository(client).list('segment')) done.push(await refreshSegmentMembership(client, segment, now));
    return done;
  });
  const profiles = await step('profiles', () => refreshProfileSnapshots(client));
  return { identity, traits, tags, segments, profiles, timeline: { version: timeline.version, rows: timeline.rows }, durationMs: Date.now() - started, stepsMs };
}

export async function refreshTags(client: ClickHouseClient, now = new Date()): Promise<{ version: number; rows: number }> {
  const version = await nextVersion(client, 'tags');
  const at = now.toISOString().replace('T', ' ').replace('Z', '');
  await client.command({ query: builtInTagsInsertSql(), query_params: { version, now: at } });
  // User-defined tags see other tags as of the previous refresh.
  for (const tag of await new SegmentRepository(client).list('tag')) {
    const compiled = compileSegment(tag.definition, { now });
    await client.command({
      query: `INSERT INTO person_tags SELECT {tag_version:UInt64}, person_id, {tag_name:String} FROM (${matchingPersonsSql(compiled)})`,
      query_params: { ...compiled.params, tag_version: version, tag_name: tag.name },
    });
  }
  const rs = await client.query({ query: 'SELECT count() AS n FROM person_tags WHERE version = {version:UInt64}', query_params: { version }, format: 'JSONEachRow' });
  const rows = Number((await rs.json<{ n: string }>())[0]!.n);
  await recordRun(client, 'tags', version, { rows });
  await dropOldVersions(client, 'person_tags', 'tags');
  return { version, rows };
}
