import type { Migration } from '../migration.js';

/**
 * Profile snapshots (segment-engine `profiles/`): what a profile lookup shows that only changes at an
 * engine refresh, one row per identifier, written by each refresh after the memberships. A lookup by any
 * identifier is then one primary-key point read (plus the live recent events), instead of ~6 reads of
 * identity_map, person_traits, person_tags and segment tables (each read costs chDB a few ms to plan).
 *
 * - `key_hash`: cityHash64 of an identifier (`u:`, `a:`, `e:`, `p:`). Every identifier with an edge has a
 *   row; a person without edges has one row under its own key (`key_hash = person_id`) with no
 *   `identifiers` (the looked-up key is its only one).
 * - `computed`: the person's `person_traits` row (minus version and person_id) as a JSON object, in the
 *   same JSON as a query answer (`formatRowNoNewline('JSONEachRow', …)`), `''` when it has none.
 * - `segments`: memberships with segment name and last entry time when the snapshot was written.
 *   `segments_state` is no longer written (empty): since migration 0015 a lookup brings them up to date
 *   from the changes of segments refreshed since (`segment_versions`) and the current definitions.
 *
 * Versioned like the other derived tables (a new `version` partition per refresh, recorded in
 * `engine_runs` as `profiles`, older ones dropped). Small granules: a row is ~1 KB, and a point read
 * should decode a few rows, not 8,192. Nothing to backfill: until the first refresh after this migration
 * every lookup takes the path without snapshots.
 */
export const createProfileSnapshots: Migration = {
  version: 14,
  name: 'create-profile-snapshots',
  statements: [
    `CREATE TABLE IF NOT EXISTS person_profiles (
      version UInt64,
      key_hash UInt64,
      person_id UInt64,
      identifiers Array(String),
      computed String,
      tags Array(String),
      segments Array(Tuple(id String, name String, since String)),
      segments_state String
    )
    ENGINE = MergeTree
    PARTITION BY version
    ORDER BY key_hash
    SETTINGS index_granularity = 128`,
  ],
};
