import type { ClickHouseClient } from '@clickhouse/client';
import type { VersionedKind } from '../sql/person-sql.js';

/** A version above every version of `kind` so far (milliseconds since the epoch, or one more). */
export async function nextVersion(client: ClickHouseClient, kind: VersionedKind): Promise<number> {
  const rs = await client.query({ query: `SELECT max(version) AS v FROM engine_runs WHERE kind = {kind:String}`, query_params: { kind }, format: 'JSONEachRow' });
  const last = Number((await rs.json<{ v: string }>())[0]?.v ?? 0);
  return Math.max(Date.now(), last + 1);
}

/** Makes `version` the current one of `kind` (readers pick the highest recorded version). */
export async function recordRun(client: ClickHouseClient, kind: VersionedKind, version: number, stats: object): Promise<void> {
  await client.insert({ table: 'engine_runs', values: [{ kind, version, stats: JSON.stringify(stats) }], format: 'JSONEachRow' });
}

/** Drops every partition older than the previous version (that one stays for queries still running). */
export async function dropOldVersions(client: ClickHouseClient, table: 'identity_map' | 'person_traits' | 'person_tags', kind: VersionedKind): Promise<void> {
  const rs = await client.query({
    query: `SELECT DISTINCT version FROM ${table} WHERE version < (SELECT max(version) FROM engine_runs WHERE kind = {kind:String} AND version < (SELECT max(version) FROM engine_runs WHERE kind = {kind:String}))`,
    query_params: { kind },
    format: 'JSONEachRow',
  });
  for (const { version } of await rs.json<{ version: string }>()) {
    await client.command({ query: `ALTER TABLE ${table} DROP PARTITION ${Number(version)}` });
  }
}
