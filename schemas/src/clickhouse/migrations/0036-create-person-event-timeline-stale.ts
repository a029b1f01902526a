import type { Migration } from '../migration.js';

/**
 * `person_event_timeline_stale`: the persons of a timeline version whose rows carry an outdated
 * `last_touch`: a landing page of theirs arrived (and was appended by the catch-up) after a later row of
 * theirs was written. Rows are never rewritten, so a funnel's channel breakdown reads these persons'
 * landing pages instead of trusting `last_touch`, as it does for persons with events stored since. The
 * next full refresh writes a new version, without any; older versions' rows go with their partition.
 */
export const createPersonEventTimelineStale: Migration = {
  version: 36,
  name: 'create-person-event-timeline-stale',
  statements: [
    `CREATE TABLE IF NOT EXISTS person_event_timeline_stale (
      version UInt64,
      person_id UInt64
    )
    ENGINE = MergeTree
    PARTITION BY version
    ORDER BY person_id`,
  ],
};
