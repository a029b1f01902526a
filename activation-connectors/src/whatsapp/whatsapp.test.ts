import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateConfig } from '../connector.js';
import { FakeMetaServer } from '../fake-meta-server/fake-meta-server.js';
import { FakeWhatsApp } from '../fake-meta-server/whatsapp.js';
import { GraphClient } from '../graph/graph-client.js';
import type { AudienceMember } from '../identifiers/member.js';
import { inQuietHours, parseStatusWebhook, statusToTrackEvent, verifyWebhookSignature, verifyWebhookSubscription, whatsappTemplate as dest } from './index.js';

let fake: FakeMetaServer | undefined;
let hook: Server | undefined;
afterEach(async () => {
  await fake?.close();
  hook?.close();
});

const templates = [{ name: 'winback', language: 'en', bodyParams: 2 }];
const member = (i: number, extra: Partial<AudienceMember> = {}): AudienceMember => ({
  personId: `p${i}`, phone: `+49 151 2345 ${String(6000 + i)}`, firstName: `Ann${i}`, whatsappOptIn: true, marketingConsent: true,
  timeZone: 'Europe/Berlin', traits: { coupon: 'SAVE10' }, ...extra,
});
const noon = () => new Date('2026-05-04T10:00:00Z'); // 12:00 in Berlin

async function setup(options: ConstructorParameters<typeof FakeMetaServer>[0] = {}, token = 'test-token', settings: Record<string, unknown> = {}) {
  fake = new FakeMetaServer({ ...options, whatsapp: { templates, ...options.whatsapp } });
  const baseUrl = await fake.listen();
  const s = validateConfig(dest, { phoneNumberId: '1001', accessToken: token, templateName: 'winback', language: 'en', variables: ['firstName', 'traits.coupon'], campaignId: 'spring', baseUrl, ...settings });
  const delays: number[] = [];
  const graph = new GraphClient({ ...dest.graphOptions(s), sleep: async (ms) => void delays.push(ms) });
  return { ctx: { settings: s, graph, state: {}, now: noon }, delays };
}

describe('WhatsApp template connector against the fake server', () => {
  it('sends the template with variables from traits and records per-member errors', async () => {
    const { ctx } = await setup({ whatsapp: { recipientErrors: { '4915123456003': 131026 } } });
    const r = await dest.syncBatch!(ctx, { action: 'add', members: [member(1), member(2), member(3), member(4, { whatsappOptIn: false }), member(5, { traits: {} })] });
    expect(r.sent).toBe(2);
    expect(r.skipped).toBe(1);
    expect(r.failed.map((f) => [f.personId, f.code])).toEqual(expect.arrayContaining([['p3', '131026'], ['p5', 'MISSING_VARIABLE']]));
    expect(Object.keys(r.messageIds!).sort()).toEqual(['p1', 'p2']);
    expect(fake!.whatsapp.sent[0]).toMatchObject({ to: '4915123456001', template: 'winback', parameters: ['Ann1', 'SAVE10'], bizOpaqueCallbackData: 'sextant:spring:p1' });
  });

  it('defers members in quiet hours in their own time zone', async () => {
    const { ctx } = await setup();
    const r = await dest.syncBatch!(ctx, { action: 'add', members: [member(1), member(2, { timeZone: 'America/Los_Angeles' })] });
    expect(r.sent).toBe(1);
    expect(r.deferred).toEqual(['p2']); // 03:00 in Los Angeles
    expect(inQuietHours(new Date('2026-05-04T20:30:00Z'), 'Europe/Berlin', { startHour: 21, endHour: 9 }, 'UTC')).toBe(true);
    expect(inQuietHours(new Date('2026-05-04T20:30:00Z'), 'America/New_York', { startHour: 21, endHour: 9 }, 'UTC')).toBe(false);
  });

  it('backs off on 130429 throughput errors and completes', async () => {
    const { ctx, delays } = await setup({}, 'test-token', { concurrency: 1 });
    fake!.inject({ match: /messages$/, code: 130429, times: 2 });
    const r = await dest.syncBatch!(ctx, { action: 'add', members: [member(1)] });
    expect(r.sent).toBe(1);
    expect(delays).toHaveLength(2);
  });

  it('stops on a bad token with a clear error and reports what was already sent', async () => {
    const { ctx } = await setup({}, 'bad-token');
    const err = await dest.syncBatch!(ctx, { action: 'add', members: [member(1)] }).catch((e) => e);
    expect(err).toMatchObject({ kind: 'auth', message: expect.stringMatching(/access token was rejected/) });
    expect(err.partial).toMatchObject({ sent: 0 });
  });

  it('an unknown template stops the run as misconfiguration (132001)', async () => {
    const { ctx } = await setup({}, 'test-token', { templateName: 'missing' });
    await expect(dest.syncBatch!(ctx, { action: 'add', members: [member(1)] })).rejects.toMatchObject({ code: 'META_MISCONFIGURED' });
  });

  it('verifies signed status webhooks and turns them into events on the person', async () => {
    const events: unknown[] = [];
    let rejected = 0;
    hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url!, 'http://x');
        if (req.method === 'GET') {
          const challenge = verifyWebhookSubscription(Object.fromEntries(url.searchParams), 'verify-me');
          res.writeHead(challenge ? 200 : 403).end(challenge ?? '');
          return;
        }
        const raw = Buffer.concat(chunks);
        if (!verifyWebhookSignature(raw, req.headers['x-hub-signature-256'] as string, 'app-secret')) {
          rejected += 1;
          res.writeHead(401).end();
          return;
        }
        for (const s of parseStatusWebhook(JSON.parse(raw.toString('utf8')))) events.push(statusToTrackEvent(s));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/wa`;
    expect(await FakeWhatsApp.verifyWebhook(url, 'verify-me')).toMatchObject({ status: 200 });
    expect((await FakeWhatsApp.verifyWebhook(url, 'wrong')).status).toBe(403);
    const { ctx } = await setup({ whatsapp: { webhookUrl: url, appSecret: 'app-secret', undeliverable: ['4915123456002'] } });
    await dest.syncBatch!(ctx, { action: 'add', members: [member(1), member(2)] });
    await fake!.whatsapp.flushWebhooks();
    expect(rejected).toBe(0);
    expect(events).toEqual(expect.arrayContaining([
      expect.objectContaining({ event: 'WhatsApp Message Read', userId: 'p1', properties: expect.objectContaining({ campaign_id: 'spring' }) }),
      expect.objectContaining({ event: 'WhatsApp Message Failed', userId: 'p2', properties: expect.objectContaining({ error_code: 131026 }) }),
    ]));
    expect(verifyWebhookSignature(Buffer.from('{}'), 'sha256=00', 'app-secret')).toBe(false);
  });
});
