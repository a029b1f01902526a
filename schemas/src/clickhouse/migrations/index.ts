import type { Migration } from '../migration.js';
import { createEvents } from './0001-create-events.js';
import { createSources } from './0002-create-sources.js';
import { createMarketingData } from './0003-create-marketing-data.js';
import { createIdentityTables } from './0010-create-identity-tables.js';
import { createProfileTables } from './0011-create-profile-tables.js';
import { createSegmentTables } from './0012-create-segment-tables.js';
import { addIdentifierLookups } from './0013-add-identifier-lookups.js';
import { createProfileSnapshots } from './0014-create-profile-snapshots.js';
import { addMembershipChangeLookups } from './0015-add-membership-change-lookups.js';
import { createAudienceTables } from './0020-create-audience-tables.js';
import { createActivationFeedTables } from './0021-create-activation-feed-tables.js';
import { createAlertTables } from './0030-create-alert-tables.js';
import { addEventAnalyticsColumns } from './0031-add-event-analytics-columns.js';
import { fineGrainedIdentifierProjection } from './0032-fine-grained-identifier-projection.js';
import { createPersonEventTimeline } from './0033-create-person-event-timeline.js';
import { keyHashIdentifierProjection } from './0034-key-hash-identifier-projection.js';
import { addPersonCountryTrait } from './0035-add-person-country-trait.js';
import { createPersonEventTimelineStale } from './0036-create-person-event-timeline-stale.js';

/** Every migration, in order. Add new files with the next number and list them here. */
/** The marketing-channel rules the `events.channel` column is materialized with. */
export { CHANNEL_NAMES, EVENT_CHANNEL_EXPRESSION, type ChannelName } from './0031-add-event-analytics-columns.js';

export const migrations: readonly Migration[] = [
  createEvents,
  createSources,
  createMarketingData,
  createIdentityTables,
  createProfileTables,
  createSegmentTables,
  addIdentifierLookups,
  createProfileSnapshots,
  addMembershipChangeLookups,
  createAudienceTables,
  createActivationFeedTables,
  createAlertTables,
  addEventAnalyticsColumns,
  fineGrainedIdentifierProjection,
  createPersonEventTimeline,
  keyHashIdentifierProjection,
  addPersonCountryTrait,
  createPersonEventTimelineStale,
];
