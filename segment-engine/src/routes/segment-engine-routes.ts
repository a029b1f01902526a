import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Store } from '@sextant/store';
import { definitionIssues, segmentInputSchema, segmentPreviewSchema } from '@sextant/schemas';
import { DefinitionError, EngineError } from '../errors.js';
import { sendEngineErrors } from './engine-error-handler.js';
import { compileSegment, matchingPersonsSql } from '../dsl/compile-segment.js';
import { findPerson } from '../profiles/find-person.js';
import { loadProfile } from '../profiles/load-profile.js';
import { deletePerson, exportPerson } from '../privacy/delete-person.js';
import { SegmentRepository, type DefinitionKind, type StoredSegment } from '../segments/segment-repository.js';
import { refreshSegmentMembership } from '../segments/refresh-memberships.js';
import { isSnapshotSegment, snapshotMemberCounts } from '../segments/snapshot-membership.js';
import { refreshEngine, type EngineOptions } from '../refresh/refresh-engine.js';
import { createIntervalScheduler } from '../refresh/interval-scheduler.js';
import { catchUpPersonTimeline } from '../analytics/catch-up-person-timeline.js';
import { BUILT_IN_TAG_GROUPS } from '../tags/built-in-tags.js';
import { currentVersionSql } from '../sql/person-sql.js';
import { CURRENT_TRAITS_SQL } from '../traits/refresh-person-traits.js';

export interface SegmentEngineRoutesOptions {
  store: Store;
  /** Adds the admin bearer-token check (and the route `config.role` check) to the plugin. */
  requireAuth: (app: FastifyInstance) => void;
  /** How often the refresh scheduler runs the whole refresh; 0 turns it off. Default 5 minutes. */
  refreshIntervalMs?: number;
  /**
   * How often the events stored since are appended to the person event timeline between refreshes
   * (`catchUpPersonTimeline`: funnels then read few events besides it); 0 turns it off. Default 1 minute.
   */
  timelineCatchUpMs?: number;
  engine?: EngineOptions;
}

const secured = { security: [{ bearerAuth: [] }], tags: ['segments'] };
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const;
const identifierParams = { type: 'object', properties: { identifier: { type: 'string', minLength: 1, maxLength: 512 } }, required: ['identifier'] } as const;
const anyBody = { type: 'object', additionalProperties: true } as const;

/**
 * Profiles, segments, tags and privacy under `/api`. Roles (route `config.role`): reading needs any
 * token (viewer); segments, tags and refreshes need `marketer` (or admin); deleting and exporting a
 * person needs `admin`.
 */
export const segmentEngineRoutes: FastifyPluginAsync<SegmentEngineRoutesOptions> = async (app, options) => {
  const client = options.store.client;
  const repo = new SegmentRepository(client);
  const engine = options.engine ?? {};
  const region = engine.defaultPhoneRegion ?? 'US';
  const refresh = async () => {
    const r = await refreshEngine(client, options.store, engine);
    app.log.info({ durationMs: r.durationMs, stepsMs: r.stepsMs }, 'engine refresh done');
    return r;
  };
  const scheduler = createIntervalScheduler(refresh, options.refreshIntervalMs ?? 5 * 60_000, (err) => app.log.error({ err }, 'segment refresh failed'));
  // Not while a refresh runs: it writes a whole new timeline anyway.
  const catchUp = createIntervalScheduler(async () => (scheduler.running ? undefined : catchUpPersonTimeline(client)), options.timelineCatchUpMs ?? 60_000,
    (err) => app.log.error({ err }, 'timeline catch-up failed'));
  app.addHook('onClose', async () => {
    scheduler.stop();
    catchUp.stop();
  });
  options.requireAuth(app);

  sendEngineErrors(app);

  const person = async (identifier: string, useSnapshot = false, recentEvents = 20) => {
    const found = await findPerson(client, identifier, region, { useSnapshot, recentEvents });
    if (!found) throw new EngineError('PROFILE_NOT_FOUND', `no person has the identifier "${identifier}"`);
    return found;
  };
  const parseInput = (body: unknown) => {
    const parsed = segmentInputSchema.safeParse(body);
    if (!parsed.success) throw new DefinitionError(definitionIssues(parsed.error));
    compileSegment(parsed.data.definition, { pathPrefix: 'definition' });
    return parsed.data;
  };
  const load = async (id: string, kind: DefinitionKind): Promise<StoredSegment> => {
    const s = await repo.get(id);
    if (!s || s.kind !== kind) throw new EngineError('SEGMENT_NOT_FOUND', `no ${kind} "${id}"`);
    return s;
  };

  // Profiles and privacy.
  app.get<{ Params: { identifier: string }; Querystring: { events?: number } }>('/api/profiles/:identifier', {
    schema: { ...secured, tags: ['profiles'], summary: 'A person by any identifier: identities, traits, computed traits, tags, segments, recent events', params: identifierParams,
      querystring: { type: 'object', properties: { events: { type: 'integer', minimum: 0, maximum: 200, default: 20 } }, additionalProperties: false } },
  }, async (request) => {
    const events = request.query.events ?? 20;
    return loadProfile(client, await person(request.params.identifier, true, events), events);
  });

  app.get<{ Params: { identifier: string } }>('/api/profiles/:identifier/export', {
    config: { role: 'admin' },
    schema: { ...secured, tags: ['privacy'], summary: "Everything stored about a person, as JSON (right of access)", params: identifierParams },
  }, async (request) => exportPerson(client, await person(request.params.identifier)));

  app.delete<{ Params: { identifier: string } }>('/api/profiles/:identifier', {
    config: { role: 'admin' },
    schema: { ...secured, tags: ['privacy'], summary: 'Delete a person (identifiers, events, traits) and suppress their later events', params: identifierParams },
  }, async (request) => ({ deleted: true, ...(await deletePerson(client, await person(request.params.identifier))) }));

  // Segments and user-defined tags share the definitions table.
  for (const kind of ['segment', 'tag'] as const) {
    const base = kind === 'segment' ? '/api/segments' : '/api/tags';
    app.post(base, { config: { role: 'marketer' }, schema: { ...secured, summary: `Create a ${kind} from a DSL definition`, body: anyBody } }, async (request, reply) =>
      reply.code(201).send(await repo.create(kind, parseInput(request.body))),
    );
    app.put<{ Params: { id: string } }>(`${base}/:id`, { config: { role: 'marketer' }, schema: { ...secured, summary: `Replace a ${kind}`, params: idParams, body: anyBody } }, async (request) => {
      const existing = await load(request.params.id, kind);
      const input = parseInput(request.body);
      if (kind === 'segment' && JSON.stringify(input.definition).includes(`"segment":"${existing.id}"`)) {
        throw new DefinitionError([{ path: 'definition', message: 'a segment cannot refer to itself' }]);
      }
      return repo.update(existing, input);
    });
    app.delete<{ Params: { id: string } }>(`${base}/:id`, { config: { role: 'marketer' }, schema: { ...secured, summary: `Delete a ${kind}`, params: idParams } }, async (request) => {
      await repo.delete(await load(request.params.id, kind));
      return { deleted: true };
    });
  }

  app.get('/api/tags', { schema: { ...secured, summary: 'Built-in tags, user-defined tags and how many persons carry each' } }, async () => {
    const rs = await client.query({ query: `SELECT tag, count() AS persons FROM person_tags WHERE version = ${currentVersionSql('tags')} GROUP BY tag ORDER BY tag`, format: 'JSONEachRow' });
    return { builtIn: BUILT_IN_TAG_GROUPS, userDefined: await repo.list('tag'), counts: (await rs.json<{ tag: string; persons: string }>()).map((r) => ({ tag: r.tag, persons: Number(r.persons) })) };
  });

  app.get('/api/segments', { schema: { ...secured, summary: 'List segments with their last refresh' } }, async () => {
    const segments = await repo.list('segment');
    const rs = await client.query({ query: `SELECT segment_id, argMax(members, version) AS members, toString(max(refreshed_at)) AS refreshed_at FROM segment_refreshes GROUP BY segment_id`, format: 'JSONEachRow' });
    const last = new Map((await rs.json<{ segment_id: string; members: string; refreshed_at: string }>()).map((r) => [r.segment_id, r]));
    // A snapshot is never refreshed: its count is read from its members, which a person's deletion removes.
    const snapshots = await snapshotMemberCounts(client, segments.filter(isSnapshotSegment).map((s) => s.id));
    const members = (id: string) => snapshots.get(id) ?? (last.has(id) ? Number(last.get(id)!.members) : null);
    return { segments: segments.map((s) => ({ ...s, members: members(s.id), refreshedAt: last.get(s.id)?.refreshed_at ?? null })) };
  });

  app.get<{ Params: { id: string } }>('/api/segments/:id', { schema: { ...secured, summary: 'One segment', params: idParams } }, async (request) => load(request.params.id, 'segment'));

  app.post('/api/segments/preview', { config: { role: 'marketer' }, schema: { ...secured, summary: 'Count and sample members of a definition not yet saved', body: anyBody } }, async (request) => {
    const parsed = segmentPreviewSchema.safeParse(request.body);
    if (!parsed.success) throw new DefinitionError(definitionIssues(parsed.error));
    const compiled = compileSegment(parsed.data.definition, { pathPrefix: 'definition' });
    const started = performance.now();
    const rs = await client.query({
      query: `SELECT count() AS count, groupArray(greatest({sample:UInt32}, 1))(toString(person_id)) AS sample FROM (${matchingPersonsSql(compiled)})`,
      query_params: { ...compiled.params, sample: parsed.data.sample },
      format: 'JSONEachRow',
    });
    const row = (await rs.json<{ count: string; sample: string[] }>())[0]!;
    // groupArray(0) is refused by ClickHouse: ask for at least one and cut here.
    return { count: Number(row.count), sample: row.sample.slice(0, parsed.data.sample), tookMs: Math.round(performance.now() - started) };
  });

  app.get<{ Params: { id: string }; Querystring: { limit: number; after?: string; format?: 'json' | 'csv' } }>('/api/segments/:id/members', {
    schema: { ...secured, summary: 'Current members, paginated by person id (keyset), or all as CSV', params: idParams,
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100 }, after: { type: 'string', pattern: '^[0-9]{1,20}$' }, format: { type: 'string', enum: ['json', 'csv'] } }, additionalProperties: false } },
  }, async (request, reply) => {
    const s = await load(request.params.id, 'segment');
    const csv = request.query.format === 'csv';
    const rs = await client.query({
      query: `SELECT toString(m.person_id) AS person_id, t.email AS email, t.phone AS phone FROM segment_members m
        LEFT ANY JOIN ${CURRENT_TRAITS_SQL} AS t ON t.person_id = m.person_id
        WHERE m.segment_id = {id:String} AND m.version = (SELECT max(version) FROM segment_refreshes WHERE segment_id = {id:String})
          AND m.person_id > {after:UInt64}
        ORDER BY m.person_id ${csv ? '' : 'LIMIT {limit:UInt32}'}`,
      query_params: { id: s.id, after: request.query.after ?? '0', limit: request.query.limit },
      format: csv ? 'CSVWithNames' : 'JSONEachRow',
    });
    if (csv) return sendCsv(reply, `${s.id}.csv`, await rs.text());
    const members = await rs.json<{ person_id: string; email: string; phone: string }>();
    return { members, next: members.length === request.query.limit ? members[members.length - 1]!.person_id : null };
  });

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>('/api/segments/:id/history', {
    schema: { ...secured, summary: 'When persons entered and left the segment, newest first', params: idParams,
      querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100 } }, additionalProperties: false } },
  }, async (request) => {
    const s = await load(request.params.id, 'segment');
    const changes = await client.query({
      query: `SELECT toString(person_id) AS person_id, toString(change) AS change, toString(at) AS at FROM segment_membership_changes WHERE segment_id = {id:String} ORDER BY at DESC, person_id LIMIT {limit:UInt32}`,
      query_params: { id: s.id, limit: request.query.limit },
      format: 'JSONEachRow',
    });
    const refreshes = await client.query({ query: `SELECT toString(refreshed_at) AS at, members, entered, left, duration_ms FROM segment_refreshes WHERE segment_id = {id:String} ORDER BY version DESC LIMIT 50`, query_params: { id: s.id }, format: 'JSONEachRow' });
    return { changes: await changes.json(), refreshes: await refreshes.json() };
  });

  app.post<{ Params: { id: string } }>('/api/segments/:id/refresh', { config: { role: 'marketer' }, schema: { ...secured, summary: 'Recompute one segment now', params: idParams } }, async (request) =>
    refreshSegmentMembership(client, await load(request.params.id, 'segment')),
  );

  app.post('/api/engine/refresh', { config: { role: 'marketer' }, schema: { ...secured, summary: 'Run the whole refresh now (identity, traits, tags, memberships)' } }, async () => {
    if (scheduler.running) throw new EngineError('REFRESH_RUNNING', 'a refresh is already running; try again when it ends');
    return scheduler.runNow(refresh);
  });
};

function sendCsv(reply: FastifyReply, filename: string, body: string) {
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(body);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a route needs ('marketer' accepts admin too); any valid token when absent. */
    role?: 'admin' | 'marketer' | 'viewer';
  }
}
