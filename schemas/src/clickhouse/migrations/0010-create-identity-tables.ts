import type { Migration } from '../migration.js';

/**
 * Identity resolution (segment-engine `identity/`).
 *
 * - `identity_edges`: one row per time an event linked two identifiers (`u:` userId, `a:` anonymousId,
 *   `e:` email lower-cased, `p:` phone in E.164). Fed from `events` by the refresh job; duplicates are
 *   harmless (the resolver groups them and keeps the earliest `timestamp`, so late and out-of-order
 *   events give the same answer).
 * - `identity_map`: every identifier that has an edge → its person. Versioned: a resolution run writes
 *   a whole new `version` (one partition), records it in `engine_runs`, then drops old partitions, so a
 *   merge never rewrites events and readers always see one complete mapping.
 *   `person_id = cityHash64(canonical)`; an identifier with no edge is its own person
 *   (`cityHash64('u:' || user_id)` or `cityHash64('a:' || anonymous_id)`), the same formula.
 * - `engine_runs`: the versions the refresh job finished (`kind`: identity, traits, tags).
 * - `suppressed_identifiers`: persons deleted for privacy; their identifiers never resolve again and
 *   their later events are purged by the refresh job.
 */
export const createIdentityTables: Migration = {
  version: 10,
  name: 'create-identity-tables',
  statements: [
    `CREATE TABLE IF NOT EXISTS identity_edges (
      identifier_a String,
      identifier_b String,
      timestamp DateTime64(3, 'UTC'),
      received_at DateTime64(3, 'UTC'),
      origin LowCardinality(String)
    )
    ENGINE = MergeTree
    ORDER BY (identifier_a, identifier_b)`,
    `CREATE TABLE IF NOT EXISTS identity_map (
      version UInt64,
      identifier String,
      canonical String,
      person_id UInt64 DEFAULT cityHash64(canonical)
    )
    ENGINE = MergeTree
    PARTITION BY version
    ORDER BY identifier`,
    `CREATE TABLE IF NOT EXISTS engine_runs (
      kind LowCardinality(String),
      version UInt64,
      finished_at DateTime64(3, 'UTC') DEFAULT now64(3),
      stats String
    )
    ENGINE = MergeTree
    ORDER BY (kind, version)`,
    `CREATE TABLE IF NOT EXISTS suppressed_identifiers (
      identifier String,
      person_id UInt64,
      suppressed_at DateTime64(3, 'UTC') DEFAULT now64(3)
    )
    ENGINE = MergeTree
    ORDER BY identifier`,
  ],
};
