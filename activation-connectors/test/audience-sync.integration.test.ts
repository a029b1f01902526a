import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@sextant/store';
import { ClickHouseAudienceStateStore } from '../src/audiences/clickhouse-audience-state-store.js';
import { createClickHouseMembershipSource } from '../src/audiences/clickhouse-membership-source.js';
import { createProfileMemberLoader } from '../src/audiences/profile-member-loader.js';
import { runAudienceSync } from '../src/audiences/run-audience-sync.js';
import { validateConfig } from '../src/connector.js';
import { facebookCustomAudience } from '../src/facebook-custom-audience/index.js';
import { FakeMetaServer } from '../src/fake-meta-server/fake-meta-server.js';
import { sha256Hex } from '../src/identifiers/sha256.js';
import { closeTempStore, openMigratedTempStore } from './migrated-temp-store.js';

let dir: string;
let store: Store;
let fake: FakeMetaServer;
let baseUrl: string;

async function refresh(version: number, entered: number[], left: number[], members: number[]): Promise<void> {
  const c = store.client;
  const at = new Date(1_700_000_000_000 + version * 1000).toISOString().replace('T', ' ').replace('Z', '');
  await c.insert({ table: 'segment_refreshes', values: [{ segment_id: 'seg', version, members: members.length, entered: entered.length, left: left.length, duration_ms: 1 }], format: 'JSONEachRow' });
  const changes = [...entered.map((p) => ({ person_id: p, change: 'entered' })), ...left.map((p) => ({ person_id: p, change: 'left' }))];
  if (changes.length) await c.insert({ table: 'segment_membership_changes', values: changes.map((x) => ({ segment_id: 'seg', version, at, ...x })), format: 'JSONEachRow' });
  await c.insert({ table: 'segment_members', values: members.map((person_id) => ({ segment_id: 'seg', version, person_id })), format: 'JSONEachRow' });
}

beforeAll(async () => {
  ({ dir, store } = await openMigratedTempStore('sextant-activation-'));
  await store.client.insert({ table: 'engine_runs', values: [{ kind: 'traits', version: 5, stats: '{}' }], format: 'JSONEachRow' });
  await store.client.insert({ table: 'person_traits', format: 'JSONEachRow', values: [1, 2, 3, 4, 5].map((id) => ({
    version: 5, person_id: id, first_seen: '2024-01-01 00:00:00', last_seen: '2024-01-01 00:00:00', email: `p${id}@shop.example`, phone: '',
    traits: JSON.stringify({ userId: `u${id}`, marketingConsent: id !== 4, firstName: 'Ann' }),
  })) });
  fake = new FakeMetaServer();
  baseUrl = await fake.listen();
});
afterAll(() => closeTempStore(dir, fake, store));

describe('audience sync on the segment engine tables (chDB)', () => {
  it('diffs from segment_membership_changes, loads profiles with consent, and keeps run history in ClickHouse', async () => {
    const state = new ClickHouseAudienceStateStore(store.client);
    const settings = validateConfig(facebookCustomAudience, { adAccountId: '9', accessToken: 'test-token', audienceName: 'seg', baseUrl, schema: ['EXTERN_ID', 'EMAIL'] });
    const opts = { audience: { id: 'aud', segmentId: 'seg' }, destination: { id: 'fb', definition: facebookCustomAudience, settings },
      source: createClickHouseMembershipSource(store.client), loader: createProfileMemberLoader(store.client), store: state, batchSize: 2, graph: { sleep: async () => {} } };
    await refresh(1, [1, 2, 3, 4], [], [1, 2, 3, 4]);
    const r1 = await runAudienceSync(opts);
    expect(r1).toMatchObject({ status: 'succeeded', added: 3, skippedConsent: 1, toVersion: 1 });
    await refresh(2, [5], [1], [2, 3, 4, 5]);
    const r2 = await runAudienceSync(opts);
    expect(r2).toMatchObject({ status: 'succeeded', added: 1, removed: 1, fromVersion: 1, toVersion: 2 });
    const members = [...[...fake.customAudiences.audiences.values()][0]!.members].sort();
    expect(members).toEqual([2, 3, 5].map((id) => `u${id}|${sha256Hex(`p${id}@shop.example`)}`).sort());
    const history = await state.runs('aud');
    expect(history.map((r) => [r.status, r.added, r.removed])).toEqual([['succeeded', 3, 0], ['succeeded', 1, 1]]);
    expect(await state.lastSuccessfulVersion('aud:fb')).toBe(2);
    expect(await state.destinationState('aud:fb')).toHaveProperty('audienceId');
  });

  it('loads profiles by 64-bit person ids without losing precision', async () => {
    const big = '18446744073709551557';
    await store.client.insert({ table: 'person_traits', format: 'JSONEachRow', values: [{ version: 5, person_id: big, first_seen: '2024-01-01 00:00:00',
      last_seen: '2024-01-01 00:00:00', email: 'big@shop.example', phone: '', traits: '{"marketing_consent":"yes","timezone":"Europe/Berlin"}' }] });
    const [m] = await createProfileMemberLoader(store.client).load([big]);
    expect(m).toMatchObject({ personId: big, email: 'big@shop.example', marketingConsent: true, timeZone: 'Europe/Berlin' });
  });

  it('keeps per-campaign send state in ClickHouse', async () => {
    const state = new ClickHouseAudienceStateStore(store.client);
    await state.markInFlight('c1', ['1', '2']);
    await state.markSent('c1', ['1']);
    await state.clearInFlight('c1', ['2']);
    expect([...(await state.alreadySent('c1', ['1', '2', '3']))]).toEqual(['1']);
  });
});
