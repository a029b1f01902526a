import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// Test-only: the real all-in-one server (segment-engine's source never imports ingest-service).
import { startInProcessServer, TEST_JWT_SECRET, type InProcessServer } from '../../ingest-service/test/fixtures/in-process-server.js';
import { signAdminToken } from '../../ingest-service/src/auth/admin-token.js';

let s: InProcessServer;
let marketerToken: string;

const iso = (daysAgo: number, minute = 0) => new Date(Date.now() - daysAgo * 86_400_000 + minute * 60_000).toISOString();

beforeAll(async () => {
  s = await startInProcessServer();
  marketerToken = await signAdminToken(TEST_JWT_SECRET, { subject: 'm', role: 'marketer' });
  const batch = [
    { type: 'track', anonymousId: 'dev-a', event: 'Product Viewed', timestamp: iso(3), properties: { product_id: 'p1', category: 'shoes' }, context: { campaign: { source: 'facebook', medium: 'paid_social', name: 'summer' } } },
    { type: 'identify', anonymousId: 'dev-a', userId: 'alice', timestamp: iso(3, 1), traits: { email: 'Alice@Shop.io', phone: '+1 415 555 2671', plan: 'pro' } },
    { type: 'track', userId: 'alice', event: 'Order Completed', timestamp: iso(3, 2), properties: { order_id: 'o1', revenue: 80, currency: 'USD', products: [] } },
    { type: 'track', anonymousId: 'dev-b', event: 'Product Viewed', timestamp: iso(1), properties: { product_id: 'p2', category: 'hats' } },
    { type: 'identify', anonymousId: 'dev-c', timestamp: iso(1), traits: { email: 'alice@shop.io' } },
    { type: 'track', anonymousId: 'dev-c', event: 'Product Viewed', timestamp: iso(1, 5), properties: { product_id: 'p3' } },
  ].map((m, i) => ({ ...m, messageId: `m-${i}` }));
  const res = await s.server.app.inject({ method: 'POST', url: '/v1/batch', headers: { authorization: s.basicAuth }, payload: { batch } });
  expect(res.statusCode).toBe(200);
  await s.server.flush();
  const refresh = await api('POST', '/api/engine/refresh', marketerToken);
  expect(refresh.statusCode).toBe(200);
});
afterAll(async () => s?.stop());

/** `token` null: no Authorization header. */
function api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string | null = s.adminToken, payload?: unknown) {
  return s.server.app.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
}

const VIEWED_NOT_ORDERED = {
  type: 'and',
  conditions: [
    { type: 'event', event: 'Product Viewed', within_days: 7 },
    { type: 'event', event: 'Order Completed', did: false },
  ],
};

describe('profiles API', () => {
  it.each(['alice', 'dev-a', 'ALICE@shop.io', '(415) 555-2671', 'dev-c'])('finds the same person by %s', async (identifier) => {
    const res = await api('GET', `/api/profiles/${encodeURIComponent(identifier)}`, s.viewerToken);
    expect(res.statusCode).toBe(200);
    const profile = res.json();
    expect(profile.identities).toEqual(expect.arrayContaining([
      { kind: 'user_id', value: 'alice' }, { kind: 'anonymous_id', value: 'dev-a' }, { kind: 'anonymous_id', value: 'dev-c' },
      { kind: 'email', value: 'alice@shop.io' }, { kind: 'phone', value: '+14155552671' },
    ]));
    expect(profile.traits.plan).toBe('pro');
    expect(profile.computedTraits).toMatchObject({ orders_count: 1, lifetime_revenue: 80, first_touch_source: 'facebook', first_touch_campaign: 'summer' });
    expect(profile.tags).toEqual(expect.arrayContaining(['channel:facebook_ad', 'campaign:summer', 'lifecycle:new']));
    expect(profile.recentEvents.length).toBe(5);
  });

  it('answers 404 for an unknown identifier', async () => {
    expect((await api('GET', '/api/profiles/nobody', s.viewerToken)).json().error.code).toBe('PROFILE_NOT_FOUND');
  });
});

describe('segments API', () => {
  let id: string;

  it('previews a definition not yet saved', async () => {
    const res = await api('POST', '/api/segments/preview', marketerToken, { definition: VIEWED_NOT_ORDERED });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ count: 1 }); // dev-b only: alice ordered
    const countOnly = await api('POST', '/api/segments/preview', marketerToken, { definition: VIEWED_NOT_ORDERED, sample: 0 });
    expect(countOnly.statusCode).toBe(200);
    expect(countOnly.json()).toMatchObject({ count: 1, sample: [] });
  });

  it('creates, lists, refreshes, pages members, exports CSV, keeps history, updates and deletes', async () => {
    const created = await api('POST', '/api/segments', marketerToken, { name: 'Browsers', definition: VIEWED_NOT_ORDERED });
    expect(created.statusCode).toBe(201);
    id = created.json().id;
    expect((await api('GET', '/api/segments', s.viewerToken)).json().segments.map((x: { id: string }) => x.id)).toContain(id);
    const refreshed = await api('POST', `/api/segments/${id}/refresh`, marketerToken);
    expect(refreshed.json()).toMatchObject({ members: 1, entered: 1, left: 0 });
    const members = (await api('GET', `/api/segments/${id}/members?limit=10`, s.viewerToken)).json();
    expect(members.members).toHaveLength(1);
    const csv = await api('GET', `/api/segments/${id}/members?format=csv`, s.viewerToken);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('"person_id","email","phone"');
    // Widen the definition: alice enters too.
    const updated = await api('PUT', `/api/segments/${id}`, marketerToken, { name: 'Viewers', definition: { type: 'event', event: 'Product Viewed' } });
    expect(updated.statusCode).toBe(200);
    expect((await api('POST', `/api/segments/${id}/refresh`, marketerToken)).json()).toMatchObject({ members: 2, entered: 1, left: 0 });
    await api('PUT', `/api/segments/${id}`, marketerToken, { name: 'Viewers', definition: VIEWED_NOT_ORDERED });
    expect((await api('POST', `/api/segments/${id}/refresh`, marketerToken)).json()).toMatchObject({ members: 1, entered: 0, left: 1 });
    const history = (await api('GET', `/api/segments/${id}/history`, s.viewerToken)).json();
    expect(history.changes.map((c: { change: string }) => c.change).sort()).toEqual(['entered', 'entered', 'left']);
    const page1 = (await api('GET', `/api/segments/${id}/members?limit=1`, s.viewerToken)).json();
    expect(page1.next).toBe(page1.members[0].person_id);
    expect((await api('GET', `/api/segments/${id}/members?limit=1&after=${page1.next}`, s.viewerToken)).json().members).toEqual([]);
    expect((await api('DELETE', `/api/segments/${id}`, marketerToken)).statusCode).toBe(200);
    expect((await api('GET', `/api/segments/${id}`, s.viewerToken)).statusCode).toBe(404);
  });

  it.each<[string, unknown, string]>([
    ['unknown operator', { type: 'computed', trait: 'orders_count', op: 'like', value: 1 }, 'definition.op'],
    ['property name with quotes', { type: 'event', event: 'X', where: [{ property: `a'"b`, op: 'eq', value: 1 }] }, 'definition.where.0.property'],
    ['property name with SQL', { type: 'event', event: 'X', where: [{ property: '1) OR 1=1 --', op: 'eq', value: 1 }] }, 'definition.where.0.property'],
    ['wrong type', { type: 'and', conditions: [{ type: 'computed', trait: 'lifetime_revenue', op: 'gt', value: 'lots' }] }, 'definition.conditions.0.value'],
  ])('rejects %s with 400 naming the path, and runs no query', async (_name, definition, path) => {
    const query = vi.spyOn(s.server.store!.client, 'query');
    const command = vi.spyOn(s.server.store!.client, 'command');
    for (const [method, url] of [['POST', '/api/segments/preview'], ['POST', '/api/segments']] as const) {
      const res = await api(method, url, marketerToken, { name: 'bad', definition });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('INVALID_DEFINITION');
      expect(res.json().error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect(query).not.toHaveBeenCalled();
    expect(command).not.toHaveBeenCalled();
    query.mockRestore();
    command.mockRestore();
  });
});

describe('roles on every route', () => {
  const routes: [method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, needs: 'viewer' | 'marketer' | 'admin'][] = [
    ['GET', '/api/profiles/alice', 'viewer'],
    ['GET', '/api/profiles/alice/export', 'admin'],
    ['DELETE', '/api/profiles/nobody-at-all', 'admin'],
    ['GET', '/api/segments', 'viewer'],
    ['GET', '/api/segments/seg_x', 'viewer'],
    ['POST', '/api/segments', 'marketer'],
    ['PUT', '/api/segments/seg_x', 'marketer'],
    ['DELETE', '/api/segments/seg_x', 'marketer'],
    ['POST', '/api/segments/preview', 'marketer'],
    ['GET', '/api/segments/seg_x/members', 'viewer'],
    ['GET', '/api/segments/seg_x/history', 'viewer'],
    ['POST', '/api/segments/seg_x/refresh', 'marketer'],
    ['GET', '/api/tags', 'viewer'],
    ['POST', '/api/tags', 'marketer'],
    ['PUT', '/api/tags/tag_x', 'marketer'],
    ['DELETE', '/api/tags/tag_x', 'marketer'],
    ['POST', '/api/engine/refresh', 'marketer'],
  ];
  const rank = { viewer: 0, marketer: 1, admin: 2 } as const;

  it.each(routes)('%s %s needs %s', async (method, url, needs) => {
    expect((await api(method, url, null, method === 'GET' || method === 'DELETE' ? undefined : {})).statusCode).toBe(401);
    for (const role of ['viewer', 'marketer', 'admin'] as const) {
      const token = role === 'viewer' ? s.viewerToken : role === 'marketer' ? marketerToken : s.adminToken;
      // An invalid body keeps allowed write routes from changing anything.
      const res = await api(method, url, token, method === 'GET' || method === 'DELETE' ? undefined : { invalid: true });
      if (rank[role] >= rank[needs]) expect(res.statusCode, `${role}`).not.toBe(403);
      else expect(res.statusCode, `${role}`).toBe(403);
    }
  });
});

describe('privacy', () => {
  it('exports a person as JSON, deletes them, and drops their later events', async () => {
    const exported = await api('GET', '/api/profiles/dev-b/export');
    expect(exported.json().events).toHaveLength(1);
    expect((await api('DELETE', '/api/profiles/dev-b')).json()).toMatchObject({ deleted: true });
    expect((await api('GET', '/api/profiles/dev-b')).statusCode).toBe(404);
    // dev-b comes back: the events are purged by the next refresh and the person stays gone.
    await s.server.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: s.basicAuth }, payload: { anonymousId: 'dev-b', event: 'Product Viewed', properties: {} } });
    await s.server.flush();
    await api('POST', '/api/engine/refresh', marketerToken);
    const left = await s.server.store!.client.query({ query: "SELECT count() AS n FROM events WHERE anonymous_id = 'dev-b'", format: 'JSONEachRow' });
    expect(Number((await left.json<{ n: string }>())[0]!.n)).toBe(0);
    expect((await api('GET', '/api/profiles/dev-b')).statusCode).toBe(404);
  });
});
