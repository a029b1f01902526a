import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig, type ConnectorContext } from '../connector.js';
import type { CustomAudienceSettings } from '../custom-audience/custom-audience-destination.js';
import { ConnectorError } from '../errors.js';
import { FakeMetaServer } from '../fake-meta-server/fake-meta-server.js';
import { GraphClient } from '../graph/graph-client.js';
import { sha256Hex } from '../identifiers/sha256.js';
import type { AudienceMember } from '../identifiers/member.js';
import { facebookCustomAudience as dest } from './index.js';

let fake: FakeMetaServer;
let baseUrl: string;
const delays: number[] = [];
beforeEach(async () => {
  fake = new FakeMetaServer();
  baseUrl = await fake.listen();
  delays.length = 0;
});
afterEach(async () => fake.close());

const member = (i: number): AudienceMember => ({ personId: String(i), externalId: `u${i}`, email: `Shopper${i}@Example.com`, phone: `+1 650 555 ${String(1000 + i).slice(-4)}`, marketingConsent: true });

function context(overrides: Partial<CustomAudienceSettings> = {}, token = 'test-token'): ConnectorContext<CustomAudienceSettings> {
  const settings = validateConfig(dest, { adAccountId: '123', accessToken: token, audienceName: 'retarget', baseUrl, batchSize: 3, schema: ['EXTERN_ID', 'EMAIL', 'PHONE'], ...overrides });
  const graph = new GraphClient({ ...dest.graphOptions(settings), baseDelayMs: 5, sleep: async (ms) => void delays.push(ms) });
  return { settings, graph, state: {} };
}

describe('Facebook Custom Audience connector against the fake server', () => {
  it('rejects invalid settings with a clear message', () => {
    expect(() => validateConfig(dest, { adAccountId: 'abc', accessToken: '' })).toThrow(/adAccountId: must be a numeric ad account id/);
  });

  it('creates the audience once (reused on the next prepare) and uploads hashed multi-key rows', async () => {
    const ctx = context();
    ctx.state = await dest.prepare!(ctx);
    const again = await dest.prepare!({ ...context(), state: {} });
    expect(again.audienceId).toBe(ctx.state.audienceId);
    const r = await dest.syncBatch!(ctx, { action: 'add', members: [member(1), member(2)] });
    expect(r).toMatchObject({ sent: 2, platformReceived: 2, platformInvalid: 0, invalidIdentifiers: 0 });
    const members = fake.customAudiences.audiences.get(ctx.state.audienceId!)!.members;
    expect(members.has(['u1', sha256Hex('shopper1@example.com'), sha256Hex('16505551001')].join('|'))).toBe(true);
  });

  it('uses upload sessions for multi-batch replace and removes with DELETE', async () => {
    const ctx = context();
    ctx.state = await dest.prepare!(ctx);
    await dest.syncBatch!(ctx, { action: 'add', members: [member(9)] });
    const all = [1, 2, 3, 4, 5].map(member);
    await dest.syncBatch!(ctx, { action: 'replace', members: all.slice(0, 3), session: { id: '42', seq: 1, last: false, estimatedTotal: 5 } });
    await dest.syncBatch!(ctx, { action: 'replace', members: all.slice(3), session: { id: '42', seq: 2, last: true, estimatedTotal: 5 } });
    const a = fake.customAudiences.audiences.get(ctx.state.audienceId!)!;
    expect(a.members.size).toBe(5);
    expect(fake.customAudiences.calls.filter((c) => c.op === 'replace').map((c) => [c.sessionId, c.batchSeq])).toEqual([['42', 1], ['42', 2]]);
    await dest.syncBatch!(ctx, { action: 'remove', members: [member(1)] });
    expect(a.members.size).toBe(4);
  });

  it('skips and counts an invalid identifier without failing the batch', async () => {
    const ctx = context();
    ctx.state = await dest.prepare!(ctx);
    const r = await dest.syncBatch!(ctx, { action: 'add', members: [{ ...member(1), email: 'broken' }, { personId: '2', email: 'x', marketingConsent: true }] });
    expect(r).toMatchObject({ sent: 1, invalidIdentifiers: 2, skipped: 1 });
  });

  it('backs off on 80003 throttling (honouring estimated_time_to_regain_access) and completes', async () => {
    const ctx = context();
    ctx.state = await dest.prepare!(ctx);
    fake.inject({ match: /^POST \d+\/users$/, code: 80003, times: 2, regainMinutes: 1 });
    fake.inject({ match: /^POST \d+\/users$/, code: 613, subcode: 1487742, status: 429 });
    const r = await dest.syncBatch!(ctx, { action: 'add', members: [member(1)] });
    expect(r.sent).toBe(1);
    expect(delays[0]).toBe(60_000);
    expect(delays).toHaveLength(3);
    expect(ctx.graph.stats.throttled).toBe(3);
  });

  it('fails with a clear auth error on a bad token and does not retry', async () => {
    const ctx = context({}, 'expired-token');
    const err = await dest.prepare!(ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).kind).toBe('auth');
    expect((err as ConnectorError).message).toMatch(/access token was rejected.*Re-authorise/);
    expect(delays).toHaveLength(0);
    await expect(dest.testConnection(ctx)).rejects.toMatchObject({ kind: 'auth' });
  });

  it('treats a deleted audience as misconfiguration (no retry)', async () => {
    const ctx = context();
    ctx.state = await dest.prepare!(ctx);
    fake.customAudiences.remove(ctx.state.audienceId!);
    await expect(dest.syncBatch!(ctx, { action: 'add', members: [member(1)] })).rejects.toMatchObject({ kind: 'auth', code: 'META_MISCONFIGURED' });
  });
});
