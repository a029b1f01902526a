import type { ClickHouseClient } from '@clickhouse/client';
import type { Store } from '@sextant/store';
import { SUPPRESSED_SQL } from '../sql/person-sql.js';
import { nextVersion, recordRun, dropOldVersions } from '../refresh/versions.js';
import { resolveComponents, type IdentityRules } from './union-find.js';

export interface IdentityResolution {
  version: number;
  identifiers: number;
  persons: number;
  edges: number;
  refused: number;
}

const INSERT_CHUNK = 200_000;

/**
 * Recomputes the identity graph and writes a new `identity_map` version.
 *
 * Why JavaScript and not SQL label propagation: the "two userIds never merge" rule makes the answer
 * depend on the order in which links are accepted (earliest event first), which a union-find applies
 * in one pass and label propagation cannot express. The edges are few next to events (one per distinct
 * identifier pair, grouped in ClickHouse), so one pass over all of them is cheap (~1 s per million
 * edges) and the result is the same whatever order events arrived in. Only persons with at least one
 * edge are written; an identifier without edges is its own person by formula, in SQL.
 */
export async function resolveIdentities(client: ClickHouseClient, store: Store, rules: IdentityRules): Promise<IdentityResolution> {
  const rs = await client.query({
    query: `SELECT identifier_a, identifier_b FROM identity_edges
      WHERE identifier_a NOT IN ${SUPPRESSED_SQL} AND identifier_b NOT IN ${SUPPRESSED_SQL}
      GROUP BY identifier_a, identifier_b
      ORDER BY min(timestamp), identifier_a, identifier_b`,
    format: 'JSONCompactEachRow',
  });
  const rows = await rs.json<[string, string]>();
  const { canonical, refused } = resolveComponents(rows, rules);

  const version = await nextVersion(client, 'identity');
  const lines: string[] = [];
  const flush = async () => {
    if (!lines.length) return;
    await store.insertRaw({ table: 'identity_map', format: 'JSONCompactEachRow', columns: ['version', 'identifier', 'canonical'], body: Buffer.from(lines.join('\n')) });
    lines.length = 0;
  };
  for (const [identifier, canon] of canonical) {
    lines.push(JSON.stringify([version, identifier, canon]));
    if (lines.length >= INSERT_CHUNK) await flush();
  }
  await flush();
  const stats = { identifiers: canonical.size, persons: new Set(canonical.values()).size, edges: rows.length, refused };
  await recordRun(client, 'identity', version, stats);
  await dropOldVersions(client, 'identity_map', 'identity');
  return { version, ...stats };
}
