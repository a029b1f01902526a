import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@sextant/store';
import { FakeMetaServer } from '../src/fake-meta-server/fake-meta-server.js';
import { activationRoutes } from '../src/routes/activation-routes.js';
import { closeTempStore, openMigratedTempStore } from './migrated-temp-store.js';

let dir: string;
let store: Store;
let fake: FakeMetaServer;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  ({ dir, store } = await openMigratedTempStore('sextant-activation-api-'));
  const c = store.client;
  await c.insert({ table: 'engine_runs', values: [{ kind: 'traits', version: 1, stats: '{}' }], format: 'JSONEachRow' });
  await c.insert({ table: 'person_traits', format: 'JSONEachRow', values: [1, 2].map((id) => ({ version: 1, person_id: id, first_seen: '2024-01-01 00:00:00', last_seen: '2024-01-01 00:00:00',
    email: `p${id}@x.io`, phone: '', traits: JSON.stringify({ marketing_consent: true }) })) });
  await c.insert({ table: 'segment_refreshes', values: [{ segment_id: 'seg', version: 1, members: 2, entered: 2, left: 0, duration_ms: 1 }], format: 'JSONEachRow' });
  await c.insert({ table: 'segment_membership_changes', values: [1, 2].map((p) => ({ segment_id: 'seg', person_id: p, change: 'entered', version: 1, at: '2024-01-01 00:00:00' })), format: 'JSONEachRow' });
  fake = new FakeMetaServer();
  baseUrl = await fake.listen();
  app = Fastify();
  await app.register(activationRoutes, { store, requireAuth: () => {}, secretKey: 'k'.repeat(64), schedule: false, graph: { sleep: async () => {} } });
  await app.ready();
});
afterAll(() => closeTempStore(dir, app, fake, store));

describe('activation admin API', () => {
  it('lists destinations and ready-made audiences', async () => {
    expect((await app.inject('/api/destinations')).json().map((d: { id: string }) => d.id)).toEqual(['facebook-custom-audience', 'instagram-custom-audience', 'whatsapp-template', 'meta-conversions-api']);
    expect((await app.inject('/api/audience-templates')).json()).toHaveLength(4);
  });

  it('rejects bad settings and bad cron with a clear 400', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/audiences', payload: { name: 'x', segmentId: 'seg', destinations: [{ type: 'facebook-custom-audience', settings: { adAccountId: 'nope' }, cron: '0 * * * *' }] } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.message).toMatch(/adAccountId/);
    const cron = await app.inject({ method: 'POST', url: '/api/audiences', payload: { name: 'x', segmentId: 'seg', destinations: [{ type: 'facebook-custom-audience', settings: { adAccountId: '1', accessToken: 't', audienceName: 'a' }, cron: 'every day!' }] } });
    expect(cron.json().error.message).toMatch(/not a valid cron/);
  });

  it('stores the token encrypted, never returns it, and runs a sync now', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/audiences', payload: { name: 'Meta visitors', segmentId: 'seg',
      destinations: [{ type: 'facebook-custom-audience', settings: { adAccountId: '7', accessToken: 'test-token', audienceName: 'visitors', baseUrl }, cron: '0 */6 * * *' }] } });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(JSON.stringify(body)).not.toContain('test-token');
    expect(body.destinations[0].settings.accessToken).toBe('[redacted]');
    const rs = await store.client.query({ query: 'SELECT destinations FROM audiences', format: 'JSONEachRow' });
    expect(JSON.stringify(await rs.json())).not.toContain('test-token');
    expect(JSON.stringify((await app.inject(`/api/audiences/${body.id}`)).json())).not.toContain('test-token');

    const run = await app.inject({ method: 'POST', url: `/api/audiences/${body.id}/destinations/${body.destinations[0].id}/run` });
    expect(run.json()).toMatchObject({ status: 'succeeded', added: 2 });
    const runs = (await app.inject(`/api/audiences/${body.id}/runs`)).json();
    expect(runs).toHaveLength(1);
    expect(JSON.stringify(runs)).not.toContain('test-token');
  });
});
