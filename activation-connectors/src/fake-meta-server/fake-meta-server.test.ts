import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../identifiers/sha256.js';
import { FakeMetaServer } from './fake-meta-server.js';

let fake: FakeMetaServer;
let base: string;
const H = { authorization: 'Bearer test-token', 'content-type': 'application/json' };

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = H) {
  const res = await fetch(`${base}/v25.0/${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

beforeEach(async () => {
  fake = new FakeMetaServer({ whatsapp: { templates: [{ name: 'winback', language: 'en', bodyParams: 2 }], mps: 5, pairBurst: 2, pairIntervalMs: 60_000 } });
  base = await fake.listen();
});
afterEach(async () => fake.close());

async function audience(): Promise<string> {
  const r = await call('POST', 'act_123/customaudiences', { name: 'a', subtype: 'CUSTOM', customer_file_source: 'USER_PROVIDED_ONLY' });
  return r.json.id as string;
}

describe('fake Meta server: auth and envelope', () => {
  it('answers a missing token with 104 and a bad one with 190 in the §0.4 envelope', async () => {
    const missing = await call('GET', 'act_1/customaudiences', undefined, {});
    expect(missing.json.error).toMatchObject({ code: 104, type: 'OAuthException' });
    const bad = await call('GET', 'act_1/customaudiences', undefined, { authorization: 'Bearer nope' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 190, error_subcode: 467, type: 'OAuthException' });
    expect(typeof bad.json.error.fbtrace_id).toBe('string');
  });

  it('accepts the token in the query and a form body with JSON-encoded values (Meta SDK style)', async () => {
    const form = new URLSearchParams({ name: 'sdk', subtype: 'CUSTOM', enable_fetch_or_create: 'true' });
    const res = await fetch(`${base}/v25.0/act_9/customaudiences?access_token=test-token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const { id } = (await res.json()) as { id: string };
    const payload = JSON.stringify({ schema: ['EMAIL'], data: [[sha256Hex('a@b.co')]] });
    const res2 = await fetch(`${base}/v25.0/${id}/users`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: 'test-token', payload }) });
    expect(await res2.json()).toMatchObject({ audience_id: id, num_received: 1, num_invalid_entries: 0 });
  });
});

describe('fake Meta server: Custom Audiences', () => {
  it('reuses an audience with enable_fetch_or_create', async () => {
    const a = await call('POST', 'act_5/customaudiences', { name: 'x', subtype: 'CUSTOM', enable_fetch_or_create: true });
    const b = await call('POST', 'act_5/customaudiences', { name: 'x', subtype: 'CUSTOM', enable_fetch_or_create: true });
    expect(a.json.id).toBe(b.json.id);
  });

  it('counts unhashed or malformed hashed cells as invalid entries and does not add them', async () => {
    const id = await audience();
    const r = await call('POST', `${id}/users`, { payload: { schema: ['EXTERN_ID', 'EMAIL', 'PHONE'], data: [
      ['u1', sha256Hex('a@b.co'), ''],
      ['u2', 'person@example.com', ''],
      ['u3', '', '16505551234'],
      ['u4', sha256Hex('x').toUpperCase(), ''],
    ] } });
    expect(r.json).toMatchObject({ num_received: 4, num_invalid_entries: 3 });
    expect(Object.values(r.json.invalid_entry_samples as Record<string, string>)[0]).toMatch(/SHA-256/);
    expect(fake.customAudiences.audiences.get(id)!.members.size).toBe(1);
  });

  it.each([
    ['a row whose length differs from the schema', { schema: ['EMAIL', 'PHONE'], data: [[sha256Hex('a')]] }],
    ['an unknown schema key', { schema: ['EMAIL', 'SHOE'], data: [[sha256Hex('a'), '']] }],
    ['more than 10,000 rows', { schema: ['EMAIL'], data: Array.from({ length: 10_001 }, (_, i) => [sha256Hex(String(i))]) }],
    ['a missing payload', undefined],
  ])('rejects %s with code 100', async (_name, payload) => {
    const id = await audience();
    const r = await call('POST', `${id}/users`, payload === undefined ? {} : { payload });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe(100);
  });

  it('replaces membership across a usersreplace session and rejects a session without batch 1 (2650/1870147)', async () => {
    const id = await audience();
    await call('POST', `${id}/users`, { payload: { schema: ['EXTERN_ID'], data: [['old']] } });
    const orphan = await call('POST', `${id}/usersreplace`, { payload: { schema: ['EXTERN_ID'], data: [['x']] }, session: { session_id: 7, batch_seq: 2, last_batch_flag: true } });
    expect(orphan.json.error).toMatchObject({ code: 2650, error_subcode: 1870147 });
    await call('POST', `${id}/usersreplace`, { payload: { schema: ['EXTERN_ID'], data: [['n1']] }, session: { session_id: 8, batch_seq: 1, last_batch_flag: false } });
    expect([...fake.customAudiences.audiences.get(id)!.members]).toEqual(['old']);
    await call('POST', `${id}/usersreplace`, { payload: { schema: ['EXTERN_ID'], data: [['n2']] }, session: { session_id: 8, batch_seq: 2, last_batch_flag: true } });
    expect([...fake.customAudiences.audiences.get(id)!.members].sort()).toEqual(['n1', 'n2']);
  });

  it('removes members with DELETE and a JSON body', async () => {
    const id = await audience();
    await call('POST', `${id}/users`, { payload: { schema: ['EXTERN_ID'], data: [['a'], ['b']] } });
    await call('DELETE', `${id}/users`, { payload: { schema: ['EXTERN_ID'], data: [['a']] } });
    expect([...fake.customAudiences.audiences.get(id)!.members]).toEqual(['b']);
  });

  it('throttles with 80003 and a BUC header carrying estimated_time_to_regain_access', async () => {
    const limited = new FakeMetaServer({ customAudienceCallsPerWindow: 2, throttleStatus: 429 });
    base = await limited.listen();
    try {
      const r1 = await call('POST', 'act_77/customaudiences', { name: 'z', subtype: 'CUSTOM' });
      await call('GET', `${r1.json.id}`);
      await call('POST', `${r1.json.id}/users`, { payload: { schema: ['EXTERN_ID'], data: [['a']] } });
      const r = await call('POST', `${r1.json.id}/users`, { payload: { schema: ['EXTERN_ID'], data: [['a']] } });
      expect(r.status).toBe(429);
      expect(r.json.error).toMatchObject({ code: 80003, error_subcode: 2446079 });
      const buc = JSON.parse(r.headers.get('x-business-use-case-usage')!);
      expect(buc['77'][0]).toMatchObject({ type: 'custom_audience', call_count: 100 });
      expect(buc['77'][0]).toHaveProperty('estimated_time_to_regain_access');
    } finally {
      await limited.close();
    }
  });
});

describe('fake Meta server: Conversions API', () => {
  const now = Math.floor(Date.now() / 1000);
  const good = { event_name: 'Purchase', event_time: now, action_source: 'website', event_source_url: 'https://shop.example/thanks', event_id: 'm-1',
    user_data: { em: [sha256Hex('a@b.co')], client_user_agent: 'UA', fbc: 'fb.1.1554763741205.AbC' }, custom_data: { value: 10, currency: 'EUR' } };

  it('accepts objects and JSON strings as data elements', async () => {
    const r = await call('POST', '555/events', { data: [good, JSON.stringify({ ...good, event_id: 'm-2' })] });
    expect(r.json.events_received).toBe(2);
  });

  it.each([
    ['an unhashed email', { ...good, user_data: { ...good.user_data, em: 'a@b.co' } }, 2804007],
    ['an event older than 7 days', { ...good, event_time: now - 8 * 86400 }, 2804003],
    ['a Purchase without value', { ...good, custom_data: { currency: 'EUR' } }, 2804009],
    ['a website event without user agent', { ...good, user_data: { em: sha256Hex('x') } }, 2804019],
    ['a missing action_source', { ...good, action_source: undefined }, 2804001],
  ])('rejects the whole request for %s', async (_n, bad, subcode) => {
    const r = await call('POST', '555/events', { data: [good, bad] });
    expect(r.json.error).toMatchObject({ code: 100, error_subcode: subcode });
    expect(fake.conversions.events).toHaveLength(0);
  });
});

describe('fake Meta server: WhatsApp', () => {
  const msg = (to: string, params = ['Ann', 'SAVE10'], name = 'winback') => ({ messaging_product: 'whatsapp', to, type: 'template',
    template: { name, language: { code: 'en', policy: 'deterministic' }, components: [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }] } });

  it('returns a wamid for a valid template send', async () => {
    const r = await call('POST', '100/messages', msg('+4915123456789'));
    expect(r.json).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ wa_id: '4915123456789' }] });
    expect(r.json.messages[0].id).toMatch(/^wamid\./);
  });

  it('answers 132001 (404) for an unknown template and 132000 for a parameter count mismatch', async () => {
    const missing = await call('POST', '100/messages', msg('+4915123456789', ['a', 'b'], 'nope'));
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatchObject({ code: 132001, error_data: { messaging_product: 'whatsapp' } });
    const count = await call('POST', '100/messages', msg('+4915123456789', ['a']));
    expect(count.json.error.code).toBe(132000);
  });

  it('answers 401/190 for a bad token on the messages endpoint', async () => {
    const r = await call('POST', '100/messages', msg('+4915123456789'), { authorization: 'Bearer bad', 'content-type': 'application/json' });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe(190);
  });

  it('enforces the pair limit (131056) and the number throughput (130429)', async () => {
    await call('POST', '100/messages', msg('+4915100000001'));
    await call('POST', '100/messages', msg('+4915100000001'));
    const pair = await call('POST', '100/messages', msg('+4915100000001'));
    expect(pair.json.error.code).toBe(131056);
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await call('POST', '100/messages', msg(`+49151000001${i}0`))).json.error?.code ?? 0);
    expect(codes).toContain(130429);
  });

  it('posts signed status webhooks over the exact bytes sent', async () => {
    const received: { sig: string; body: string }[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ sig: String(req.headers['x-hub-signature-256']), body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    const wa = new FakeMetaServer({ whatsapp: { templates: [{ name: 'winback', language: 'en', bodyParams: 2 }], webhookUrl: url, appSecret: 's3cret', undeliverable: ['4915100000099'] } });
    base = await wa.listen();
    try {
      await call('POST', '100/messages', msg('+4915100000002'));
      await call('POST', '100/messages', msg('+4915100000099'));
      await wa.whatsapp.flushWebhooks();
      expect(received).toHaveLength(4);
      for (const r of received) expect(r.sig).toBe(`sha256=${createHmac('sha256', 's3cret').update(r.body).digest('hex')}`);
      const statuses = received.map((r) => JSON.parse(r.body).entry[0].changes[0].value.statuses[0]);
      expect(statuses.map((s) => s.status).sort()).toEqual(['delivered', 'failed', 'read', 'sent']);
      expect(statuses.find((s) => s.status === 'failed').errors[0].code).toBe(131026);
    } finally {
      await wa.close();
      hook.close();
    }
  });
});
