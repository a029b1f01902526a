import { createHmac } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPerson, loadProfile } from '@sextant/segment-engine';
import type { Store } from '@sextant/store';
import { FakeMetaServer } from '../src/fake-meta-server/fake-meta-server.js';
import { FakeWhatsApp } from '../src/fake-meta-server/whatsapp.js';
import { activationRoutes } from '../src/routes/activation-routes.js';
import { WHATSAPP_WEBHOOK_PATH } from '../src/routes/whatsapp-webhook-routes.js';
import { closeTempStore, openMigratedTempStore } from './migrated-temp-store.js';

/**
 * The whole loop on real chDB: a WhatsApp sync sends templates to the fake Meta, which posts signed
 * status webhooks to the activation routes, which store them as events on the right persons.
 */
let dir: string;
let store: Store;
let fake: FakeMetaServer;
let app: FastifyInstance;
let hookUrl: string;

const APP_SECRET = 'app-secret-for-tests';
const VERIFY_TOKEN = 'verify-token-for-tests';

async function statusEvents(): Promise<{ event: string; user_id: string; anonymous_id: string; properties: string; message_id: string }[]> {
  const rs = await store.client.query({
    query: `SELECT event, user_id, anonymous_id, properties, message_id FROM events WHERE event LIKE 'WhatsApp Message %' ORDER BY event, user_id`,
    format: 'JSONEachRow',
  });
  return rs.json();
}

beforeAll(async () => {
  ({ dir, store } = await openMigratedTempStore('sextant-wa-webhook-'));
  const c = store.client;
  // Person 1 has a userId in its traits; person 2 is anonymous and known only through the identity map.
  await c.insert({ table: 'engine_runs', values: [{ kind: 'traits', version: 1, stats: '{}' }, { kind: 'identity', version: 1, stats: '{}' }], format: 'JSONEachRow' });
  await c.insert({ table: 'identity_map', format: 'JSONEachRow', values: [
    { version: 1, identifier: 'u:u1', canonical: 'u:u1', person_id: 1 },
    { version: 1, identifier: 'a:anon-2', canonical: 'a:anon-2', person_id: 2 },
  ] });
  await c.insert({ table: 'person_traits', format: 'JSONEachRow', values: [
    { version: 1, person_id: 1, first_seen: '2024-01-01 00:00:00', last_seen: '2024-01-01 00:00:00', email: 'p1@x.io', phone: '+4915123456001',
      traits: JSON.stringify({ userId: 'u1', marketingConsent: true, whatsappOptIn: true, firstName: 'Ann', timezone: 'UTC' }) },
    { version: 1, person_id: 2, first_seen: '2024-01-01 00:00:00', last_seen: '2024-01-01 00:00:00', email: '', phone: '+4915123456002',
      traits: JSON.stringify({ marketingConsent: true, whatsappOptIn: true, firstName: 'Bo', timezone: 'UTC' }) },
  ] });
  await c.insert({ table: 'segment_refreshes', values: [{ segment_id: 'seg', version: 1, members: 2, entered: 2, left: 0, duration_ms: 1 }], format: 'JSONEachRow' });
  await c.insert({ table: 'segment_membership_changes', values: [1, 2].map((p) => ({ segment_id: 'seg', person_id: p, change: 'entered', version: 1, at: '2024-01-01 00:00:00' })), format: 'JSONEachRow' });

  app = Fastify();
  await app.register(activationRoutes, { store, requireAuth: () => {}, secretKey: 'k'.repeat(64), schedule: false, graph: { sleep: async () => {} },
    whatsappWebhook: { appSecrets: [APP_SECRET], verifyTokens: [VERIFY_TOKEN] } });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  hookUrl = `${base}${WHATSAPP_WEBHOOK_PATH}`;
  fake = new FakeMetaServer({ whatsapp: { templates: [{ name: 'spring_sale', language: 'en', bodyParams: 1 }], webhookUrl: hookUrl, appSecret: APP_SECRET, undeliverable: ['4915123456002'] } });
});
afterAll(() => closeTempStore(dir, fake, app, store));

describe('WhatsApp status webhooks → events on the person (chDB)', () => {
  it('answers Meta\'s verification handshake only with the configured token', async () => {
    expect(await FakeWhatsApp.verifyWebhook(hookUrl, VERIFY_TOKEN)).toMatchObject({ status: 200, body: expect.stringMatching(/^\d+$/) });
    const bad = await FakeWhatsApp.verifyWebhook(hookUrl, 'wrong-token');
    expect(bad.status).toBe(403);
    expect(JSON.parse(bad.body).error.code).toBe('WEBHOOK_VERIFICATION_FAILED');
    const noMode = await fetch(`${hookUrl}?hub.verify_token=${VERIFY_TOKEN}&hub.challenge=5`);
    expect(noMode.status).toBe(403);
  });

  it('sync → signed status webhooks → WhatsApp Message events on the profile, redelivery stored once', async () => {
    const fakeUrl = await fake.listen();
    const created = await app.inject({ method: 'POST', url: '/api/audiences', payload: { name: 'Spring', segmentId: 'seg', destinations: [{ type: 'whatsapp-template',
      settings: { phoneNumberId: '100000000000001', accessToken: 'test-token', templateName: 'spring_sale', variables: ['firstName'], campaignId: 'spring',
        quietHours: { startHour: 0, endHour: 0 }, baseUrl: fakeUrl }, cron: '0 9 * * *' }] } });
    expect(created.statusCode).toBe(201);
    const a = created.json();
    const run = await app.inject({ method: 'POST', url: `/api/audiences/${a.id}/destinations/${a.destinations[0].id}/run` });
    expect(run.json()).toMatchObject({ status: 'succeeded', added: 2 });
    await fake.whatsapp.flushWebhooks();
    // Every delivery was accepted: signature verified over the raw bytes.
    expect(fake.whatsapp.webhookDeliveries.map((d) => d.status)).toEqual([200, 200, 200, 200]);

    const wamid1 = fake.whatsapp.sent.find((m) => m.to === '4915123456001')!.wamid;
    const wamid2 = fake.whatsapp.sent.find((m) => m.to === '4915123456002')!.wamid;
    const rows = await statusEvents();
    expect(rows.map((r) => [r.event, r.user_id, r.anonymous_id])).toEqual([
      ['WhatsApp Message Delivered', 'u1', ''],
      ['WhatsApp Message Failed', '', 'anon-2'],
      ['WhatsApp Message Read', 'u1', ''],
      ['WhatsApp Message Sent', 'u1', ''],
    ]);
    const failed = JSON.parse(rows[1]!.properties);
    expect(failed).toMatchObject({ wamid: wamid2, status: 'failed', recipient_phone: '4915123456002', campaign_id: 'spring', error_code: 131026,
      errors: [{ code: 131026, title: 'Message undeliverable', details: 'recipient is not a WhatsApp user' }] });
    expect(JSON.parse(rows[2]!.properties)).toMatchObject({ wamid: wamid1, status: 'read', recipient_phone: '4915123456001' });

    // Shown on the profiles (the segment engine's own lookup).
    const p1 = await loadProfile(store.client, (await findPerson(store.client, 'u1'))!);
    expect(p1.recentEvents.map((e) => e.event).sort()).toEqual(['WhatsApp Message Delivered', 'WhatsApp Message Read', 'WhatsApp Message Sent']);
    const p2 = await loadProfile(store.client, (await findPerson(store.client, 'anon-2'))!);
    expect(p2.recentEvents).toEqual([expect.objectContaining({ event: 'WhatsApp Message Failed', properties: expect.objectContaining({ error_code: 131026 }) })]);

    // Meta redelivers a status: acknowledged, not stored twice.
    const again = await fake.whatsapp.postStatuses([{ wamid: wamid1, status: 'read', recipientId: '4915123456001' }]);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.response)).toMatchObject({ stored: 0, duplicates: 1 });
    // A message Sextant never sent: acknowledged (so Meta stops retrying), not stored.
    const stranger = await fake.whatsapp.postStatuses([{ wamid: 'wamid.unknown', status: 'delivered', recipientId: '15550001111' }]);
    expect(JSON.parse(stranger.response)).toMatchObject({ stored: 0, unmatched: 1 });
    // A status that beats the send log (Meta can be that fast): the callback data names the person.
    const early = await fake.whatsapp.postStatuses([{ wamid: 'wamid.early', status: 'sent', recipientId: '4915123456002', bizOpaqueCallbackData: 'sextant:spring:2' }]);
    expect(JSON.parse(early.response)).toMatchObject({ stored: 1 });
    const all = await statusEvents();
    expect(all).toHaveLength(5);
    expect(all.find((r) => r.message_id === 'wa-wamid.early-sent')).toMatchObject({ user_id: '', anonymous_id: 'anon-2' });
    // Without callback data only the send log knows the person (and the destination).
    const logged = await fake.whatsapp.postStatuses([{ wamid: wamid1, status: 'played', recipientId: '4915123456001' }]);
    expect(JSON.parse(logged.response)).toMatchObject({ stored: 1 });
    const played = (await statusEvents()).find((r) => r.message_id === `wa-${wamid1}-played`)!;
    expect(played.user_id).toBe('u1');
    expect(JSON.parse(played.properties)).toMatchObject({ destination_id: a.destinations[0].id, campaign_id: 'spring' });
  });

  it('rejects bad signatures with 401 and malformed payloads with 400, storing nothing', async () => {
    const before = (await statusEvents()).length;
    const status = { wamid: 'wamid.x', status: 'delivered' as const, recipientId: '4915123456001', bizOpaqueCallbackData: 'sextant:c:1' };
    const wrongKey = await fake.whatsapp.postStatuses([status], { signWith: 'not-the-app-secret' });
    expect(wrongKey.status).toBe(401);
    expect(JSON.parse(wrongKey.response).error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const tampered = await fake.whatsapp.postStatuses([status], { tamper: true });
    expect(tampered.status).toBe(401);

    const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [] });
    const missing = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('WEBHOOK_SIGNATURE_MISSING');
    const sign = (b: string, key = APP_SECRET) => `sha256=${createHmac('sha256', key).update(b).digest('hex')}`;
    // The signature covers the exact bytes: the same JSON re-serialised with other spacing fails.
    const spaced = JSON.stringify(JSON.parse(body), null, 2);
    expect((await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) }, body: spaced })).status).toBe(401);
    expect((await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(spaced) }, body: spaced })).status).toBe(200);

    const notJson = '{"object": "whatsapp_business_account", ';
    const malformed = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(notJson) }, body: notJson });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('INVALID_WEBHOOK_PAYLOAD');
    const wrongObject = JSON.stringify({ object: 'page', entry: [] });
    expect((await fetch(hookUrl, { method: 'POST', headers: { 'x-hub-signature-256': sign(wrongObject) }, body: wrongObject })).status).toBe(400);
    expect((await statusEvents()).length).toBe(before);
  });
});
