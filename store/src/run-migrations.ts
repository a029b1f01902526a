import type { ClickHouseClient } from '@clickhouse/client';
import type { Migration } from '@sextant/schemas';
import { StoreError } from './store-error.js';

/**
 * Applies every migration not yet recorded in `schema_migrations`, in version order. Safe to call at
 * every start-up and from several processes: statements are idempotent (`IF NOT EXISTS`).
 * Returns the versions applied by this call.
 */
export async function runMigrations(client: ClickHouseClient, migrations: readonly Migration[]): Promise<number[]> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations (
      version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = MergeTree ORDER BY version`,
  });
  const rs = await client.query({ query: 'SELECT DISTINCT version FROM schema_migrations', format: 'JSONEachRow' });
  const done = new Set((await rs.json<{ version: number }>()).map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    try {
      for (const statement of m.statements) await client.command({ query: statement });
      await client.insert({ table: 'schema_migrations', values: [{ version: m.version, name: m.name }], format: 'JSONEachRow' });
    } catch (err) {
      throw new StoreError('MIGRATION_FAILED', `migration ${m.version} (${m.name}) failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    applied.push(m.version);
  }
  return applied;
}
