import type { Migration } from '../migration.js';

/**
 * Profile lookups stay on the snapshot after membership refreshes and segment edits (segment-engine
 * `profiles/`). A snapshot (migration 0014) says which membership refresh of each segment its
 * `segments` were built from; a lookup that finds a segment refreshed with changes since then reads the
 * person's entries and exits of just those segments (one point read) and applies them, instead of
 * re-reading all memberships through the three joins. Names and deletions come from the definitions
 * the lookup reads anyway.
 *
 * - `person_profiles.segment_versions`: per segment, the latest refresh that changed members
 *   (`segment_refreshes` with `entered` or `left` > 0) when the snapshot was written. Rows written
 *   before this migration have none: their lookups rebuild every membership from the changes (correct,
 *   a little more to read) until the next engine refresh writes new rows.
 * - `segment_membership_changes` projection `by_person`: the changes of one person (the table is
 *   ordered by segment and time) as a few adjacent rows. Small granules: a person has a handful of
 *   changes. Lightweight deletes (none today) drop the projection of the parts they touch, as on the
 *   other tables with projections (migration 0013).
 *
 * `MATERIALIZE` runs as a background mutation (`mutations_sync = 0`); until it is done, lookups read the
 * table's parts the old way (correct, slower). Re-running the statements is harmless.
 */
export const addMembershipChangeLookups: Migration = {
  version: 15,
  name: 'add-membership-change-lookups',
  statements: [
    `ALTER TABLE person_profiles ADD COLUMN IF NOT EXISTS segment_versions Map(String, UInt64)`,
    `ALTER TABLE segment_membership_changes MODIFY SETTING lightweight_mutation_projection_mode = 'drop'`,
    `ALTER TABLE segment_membership_changes ADD PROJECTION IF NOT EXISTS by_person (
      SELECT segment_id, person_id, change, version, at
      ORDER BY (person_id, segment_id, version)
    ) WITH SETTINGS (index_granularity = 256)`,
    `ALTER TABLE segment_membership_changes MATERIALIZE PROJECTION by_person SETTINGS mutations_sync = 0`,
  ],
};
