import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../connector.js';
import { FakeMetaServer } from '../fake-meta-server/fake-meta-server.js';
import { facebookCustomAudience } from '../facebook-custom-audience/index.js';
import { GraphClient } from '../graph/graph-client.js';
import { instagramCustomAudience as dest } from './index.js';

let fake: FakeMetaServer;
let baseUrl: string;
beforeEach(async () => {
  fake = new FakeMetaServer();
  baseUrl = await fake.listen();
});
afterEach(async () => fake.close());

const ctxFor = (d: typeof dest, token = 'test-token') => {
  const settings = validateConfig(d, { adAccountId: 'act_321', accessToken: token, audienceName: 'no purchase 7d', baseUrl });
  const delays: number[] = [];
  return { ctx: { settings, graph: new GraphClient({ ...d.graphOptions(settings), sleep: async (ms) => void delays.push(ms) }), state: {} as Record<string, string> }, delays };
};

describe('Instagram Custom Audience connector', () => {
  it('keeps its own audience (named [IG] …) apart from the Facebook one for the same segment', async () => {
    const ig = ctxFor(dest).ctx;
    const fb = ctxFor(facebookCustomAudience).ctx;
    ig.state = await dest.prepare!(ig);
    fb.state = await facebookCustomAudience.prepare!(fb);
    expect(ig.state.audienceId).not.toBe(fb.state.audienceId);
    expect(fake.customAudiences.audiences.get(ig.state.audienceId!)!.name).toBe('[IG] no purchase 7d');
    await dest.syncBatch!(ig, { action: 'add', members: [{ personId: '1', email: 'a@b.co', marketingConsent: true }] });
    expect(fake.customAudiences.audiences.get(ig.state.audienceId!)!.members.size).toBe(1);
    expect(fake.customAudiences.audiences.get(fb.state.audienceId!)!.members.size).toBe(0);
  });

  it('backs off on throttling and completes', async () => {
    const { ctx, delays } = ctxFor(dest);
    ctx.state = await dest.prepare!(ctx);
    fake.inject({ match: /users$/, code: 17, subcode: 2446079, times: 2 });
    const r = await dest.syncBatch!(ctx, { action: 'add', members: [{ personId: '1', email: 'a@b.co', marketingConsent: true }] });
    expect(r.sent).toBe(1);
    expect(delays).toHaveLength(2);
  });

  it('fails clearly on a bad token', async () => {
    const { ctx } = ctxFor(dest, 'bad');
    await expect(dest.prepare!(ctx)).rejects.toMatchObject({ kind: 'auth', message: expect.stringMatching(/access token was rejected/) });
  });
});
