import type { Migration } from '../migration.js';

/**
 * Lookups by identifier, for the profiles API (segment-engine `profiles/`), at millions of events.
 *
 * - `events` projection `by_identifier`: the columns a profile shows (recent events) ordered by
 *   `(user_id, anonymous_id, timestamp)`, so the events of one userId, or of one anonymous id without a
 *   userId, are a few adjacent granules instead of one granule per event scattered over the
 *   `(source_id, event, day)` order (bloom filters still had to read ~one granule per event and check
 *   every index granule). Costs a second copy of those columns and a sort at insert.
 * - Lightweight deletes and projections: a `DELETE FROM events` leaves a projection that still shows the
 *   deleted rows (engine 26.7, in `rebuild` mode too, and `MATERIALIZE PROJECTION` rebuilds them from the
 *   masked rows). So the table drops the projection of the parts a delete touches (`drop`: reads of those
 *   parts fall back to the table, correct at once), and the privacy code then runs
 *   `APPLY DELETED MASK` + `MATERIALIZE PROJECTION` in the background to get it back.
 * - `identity_map` skip index on `person_id`: all identifiers of a person (the map is ordered by
 *   identifier) without reading the whole current version.
 * - `person_tags` projection `by_person`: the tags of one person (the table is ordered by tag; its
 *   bloom filter still had to load one filter per granule). Derived data, rewritten by every refresh,
 *   so `drop` on delete is enough there (the next refresh writes parts with the projection).
 *
 * `MATERIALIZE` runs as a background mutation on data dirs that already hold events (`mutations_sync = 0`:
 * start-up does not wait — about a minute per ten million events on 2 cores; until it finishes, lookups
 * read those parts the old way). Re-running it is harmless.
 */
export const addIdentifierLookups: Migration = {
  version: 13,
  name: 'add-identifier-lookups',
  statements: [
    `ALTER TABLE events MODIFY SETTING lightweight_mutation_projection_mode = 'drop'`,
    `ALTER TABLE events ADD PROJECTION IF NOT EXISTS by_identifier (
      SELECT timestamp, type, event, name, properties, user_id, anonymous_id
      ORDER BY (user_id, anonymous_id, timestamp)
    )`,
    `ALTER TABLE events MATERIALIZE PROJECTION by_identifier SETTINGS mutations_sync = 0`,
    `ALTER TABLE identity_map ADD INDEX IF NOT EXISTS idx_person_id person_id TYPE bloom_filter(0.01) GRANULARITY 1`,
    `ALTER TABLE identity_map MATERIALIZE INDEX idx_person_id SETTINGS mutations_sync = 0`,
    `ALTER TABLE person_tags MODIFY SETTING lightweight_mutation_projection_mode = 'drop'`,
    `ALTER TABLE person_tags ADD PROJECTION IF NOT EXISTS by_person (SELECT version, person_id, tag ORDER BY person_id)`,
    `ALTER TABLE person_tags MATERIALIZE PROJECTION by_person SETTINGS mutations_sync = 0`,
  ],
};
