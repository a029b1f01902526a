import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../connector.js';
import { FakeMetaServer } from '../fake-meta-server/fake-meta-server.js';
import { facebookCustomAudience } from '../facebook-custom-audience/index.js';
import type { AudienceMember } from '../identifiers/member.js';
import { sha256Hex } from '../identifiers/sha256.js';
import { whatsappTemplate } from '../whatsapp/index.js';
import { InMemoryAudienceStateStore } from './audience-state-store.js';
import { InMemoryMembershipSource, type MemberLoader } from './membership-source.js';
import { AudienceBusyError, runAudienceSync, type RunAudienceSyncOptions } from './run-audience-sync.js';

let fake: FakeMetaServer;
let baseUrl: string;
let source: InMemoryMembershipSource;
let store: InMemoryAudienceStateStore;
const noConsent = new Set<string>();

const loader: MemberLoader = {
  async load(ids) {
    return ids.map((id): AudienceMember => ({ personId: id, externalId: `ext-${id}`, email: `p${id}@shop.example`, phone: `+4915123${id.padStart(6, '0')}`,
      firstName: `N${id}`, marketingConsent: !noConsent.has(id), whatsappOptIn: true, timeZone: Number(id) % 2 === 0 ? 'America/Los_Angeles' : 'Europe/Berlin' }));
  },
};

beforeEach(async () => {
  fake = new FakeMetaServer({ whatsapp: { templates: [{ name: 'winback', language: 'en', bodyParams: 1 }] } });
  baseUrl = await fake.listen();
  source = new InMemoryMembershipSource();
  store = new InMemoryAudienceStateStore();
  noConsent.clear();
});
afterEach(async () => fake.close());

const ids = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(3, '0'));
const rowKey = (id: string): string => [`ext-${id}`, sha256Hex(`p${id}@shop.example`)].join('|');

function fbOptions(token = 'test-token', extra: Partial<RunAudienceSyncOptions> = {}): RunAudienceSyncOptions {
  const settings = validateConfig(facebookCustomAudience, { adAccountId: '1', accessToken: token, audienceName: 'retarget', baseUrl, schema: ['EXTERN_ID', 'EMAIL'] });
  return { audience: { id: 'aud1', segmentId: 'seg1' }, destination: { id: 'fb1', definition: facebookCustomAudience, settings }, source, loader, store,
    batchSize: 3, graph: { sleep: async () => {} }, ...extra };
}

const fbMembers = (): string[] => [...[...fake.customAudiences.audiences.values()][0]!.members.values()].sort();

describe('audience runner: diff syncs', () => {
  it('sends exactly who entered and who left over several runs', async () => {
    source.refresh('seg1', ids(1, 10));
    const r1 = await runAudienceSync(fbOptions());
    expect(r1).toMatchObject({ status: 'succeeded', added: 10, removed: 0, fromVersion: 0, toVersion: 1 });
    expect(fbMembers()).toEqual(ids(1, 10).map(rowKey).sort());

    source.refresh('seg1', [...ids(4, 10), ...ids(11, 12)]);
    const r2 = await runAudienceSync(fbOptions());
    expect(r2).toMatchObject({ status: 'succeeded', added: 2, removed: 3, fromVersion: 1, toVersion: 2 });
    expect(fbMembers()).toEqual([...ids(4, 12)].map(rowKey).sort());

    // Two refreshes between runs: 5 leaves and comes back (no change), 13 enters and leaves (no add).
    source.refresh('seg1', [...ids(6, 12), ...ids(13, 13)]);
    source.refresh('seg1', [...ids(5, 12), ...ids(1, 1)]);
    const r3 = await runAudienceSync(fbOptions());
    expect(r3).toMatchObject({ added: 1, removed: 1, fromVersion: 2, toVersion: 4 });
    expect(fbMembers()).toEqual([...ids(1, 1), ...ids(5, 12)].map(rowKey).sort());

    const r4 = await runAudienceSync(fbOptions());
    expect(r4).toMatchObject({ added: 0, removed: 0 });
    // Each add matches one entry: 001 entered twice (left in run 2, back in run 3), everyone else once.
    const counts = fake.customAudiences.addCounts;
    expect(counts.get(rowKey('001'))).toBe(2);
    expect([...counts.entries()].filter(([k]) => k !== rowKey('001')).every(([, n]) => n === 1)).toBe(true);
    expect((await store.runs('aud1')).map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });

  it('never sends members without marketing consent, and counts them', async () => {
    source.refresh('seg1', ids(1, 6));
    noConsent.add('002').add('005');
    const run = await runAudienceSync(fbOptions());
    expect(run).toMatchObject({ added: 4, skippedConsent: 2 });
    expect(fbMembers()).not.toContain(rowKey('002'));
  });

  it('a full refresh replaces the list through one usersreplace session', async () => {
    source.refresh('seg1', ids(1, 4));
    await runAudienceSync(fbOptions());
    source.refresh('seg1', ids(3, 9));
    const run = await runAudienceSync(fbOptions('test-token', { mode: 'full' }));
    expect(run).toMatchObject({ status: 'succeeded', mode: 'full', added: 7 });
    expect(fbMembers()).toEqual(ids(3, 9).map(rowKey).sort());
    const replace = fake.customAudiences.calls.filter((c) => c.op === 'replace');
    expect(replace.map((c) => c.batchSeq)).toEqual([1, 2, 3]);
    expect(new Set(replace.map((c) => c.sessionId)).size).toBe(1);
  });

  it('a run killed midway and rerun sends no one twice', async () => {
    source.refresh('seg1', ids(1, 10));
    let batches = 0;
    const killed = await runAudienceSync(fbOptions('test-token', { onBatch: () => {
      if (++batches === 2) throw new Error('killed');
    } }));
    expect(killed.status).toBe('failed');
    expect(await store.lastSuccessfulVersion('aud1:fb1')).toBeUndefined();
    expect(fbMembers()).toHaveLength(6);
    const rerun = await runAudienceSync(fbOptions());
    expect(rerun).toMatchObject({ status: 'succeeded', runId: killed.runId, added: 10 });
    expect(fbMembers()).toEqual(ids(1, 10).map(rowKey).sort());
    expect(fake.customAudiences.addCounts.size).toBe(10);
    expect([...fake.customAudiences.addCounts.values()].every((n) => n === 1)).toBe(true);
  });

  it('backs off on throttling and completes', async () => {
    source.refresh('seg1', ids(1, 7));
    fake.inject({ match: /users$/, code: 80003, times: 3 });
    const run = await runAudienceSync(fbOptions());
    expect(run).toMatchObject({ status: 'succeeded', added: 7 });
  });

  it('a bad token fails the run with a clear error and records nothing half-done', async () => {
    source.refresh('seg1', ids(1, 5));
    const run = await runAudienceSync(fbOptions('revoked'));
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({ kind: 'auth', code: 'META_AUTH', message: expect.stringMatching(/access token was rejected/) });
    expect(run.added).toBe(0);
    expect(await store.lastSuccessfulVersion('aud1:fb1')).toBeUndefined();
    expect(await store.checkpoint('aud1:fb1')).toBeUndefined();
    expect(JSON.stringify(run)).not.toContain('revoked');
  });

  it('never runs the same audience–destination pair twice at once', async () => {
    source.refresh('seg1', ids(1, 9));
    const first = runAudienceSync(fbOptions());
    await expect(runAudienceSync(fbOptions())).rejects.toBeInstanceOf(AudienceBusyError);
    await first;
  });
});

describe('audience runner: WhatsApp campaigns', () => {
  const waOptions = (now: Date): RunAudienceSyncOptions => ({
    audience: { id: 'aud2', segmentId: 'seg2' }, source, loader, store, batchSize: 4, graph: { sleep: async () => {} }, now: () => now,
    destination: { id: 'wa1', definition: whatsappTemplate, settings: validateConfig(whatsappTemplate, { phoneNumberId: '55', accessToken: 'test-token', templateName: 'winback', variables: ['firstName'], campaignId: 'spring', baseUrl }) },
  });

  it('sends once per campaign, keeps quiet-hour members for a later run, and never resends on re-entry', async () => {
    source.refresh('seg2', ids(1, 6));
    const berlinNoon = new Date('2026-05-04T10:00:00Z'); // 03:00 in Los Angeles: even ids are deferred
    const r1 = await runAudienceSync(waOptions(berlinNoon));
    expect(r1).toMatchObject({ status: 'succeeded', added: 3, deferred: 3 });
    const laNoon = new Date('2026-05-04T19:00:00Z'); // 21:00 Berlin: quiet there, 12:00 in LA
    const r2 = await runAudienceSync(waOptions(laNoon));
    expect(r2).toMatchObject({ added: 3, deferred: 0 });
    source.refresh('seg2', ids(1, 3)); // 4..6 leave …
    expect(await runAudienceSync(waOptions(laNoon))).toMatchObject({ status: 'succeeded', added: 0, removed: 0 });
    source.refresh('seg2', ids(1, 6)); // … and re-enter
    const r3 = await runAudienceSync(waOptions(laNoon));
    expect(r3).toMatchObject({ added: 0, skippedAlreadySent: 3 });
    const perRecipient = new Map<string, number>();
    for (const m of fake.whatsapp.sent) perRecipient.set(m.to, (perRecipient.get(m.to) ?? 0) + 1);
    expect(perRecipient.size).toBe(6);
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
  });

  it('a run killed midway and rerun sends no message twice', async () => {
    source.refresh('seg2', ids(1, 11).filter((id) => Number(id) % 2 === 1)); // Berlin only
    let batches = 0;
    const opts = waOptions(new Date('2026-05-04T10:00:00Z'));
    const killed = await runAudienceSync({ ...opts, batchSize: 2, onBatch: () => {
      if (++batches === 1) throw new Error('killed');
    } });
    expect(killed.status).toBe('failed');
    const rerun = await runAudienceSync({ ...opts, batchSize: 2 });
    expect(rerun.status).toBe('succeeded');
    expect(fake.whatsapp.sent).toHaveLength(6);
    expect(new Set(fake.whatsapp.sent.map((m) => m.to)).size).toBe(6);
  });
});
