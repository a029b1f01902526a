/**
 * Subqueries for "which membership rows are current, in which live segments": the profile lookup
 * (one person) and the profile snapshot (everyone) join `segment_members` against both.
 */

/** The current membership version of each segment: (segment_id, version). */
export const CURRENT_SEGMENT_VERSIONS_SQL = `(SELECT segment_id, max(version) AS version FROM segment_refreshes GROUP BY segment_id)`;

/** Segments that exist (not deleted; not tags): (id, name). */
export const LIVE_SEGMENT_NAMES_SQL = `(SELECT id, name FROM segment_definitions FINAL WHERE deleted = 0 AND kind = 'segment')`;
