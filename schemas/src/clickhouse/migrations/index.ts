import type { Migration } from '../migration.js';
import { createEvents } from './0001-create-events.js';
import { createSources } from './0002-create-sources.js';
import { createMarketingData } from './0003-create-marketing-data.js';

/** Every migration, in order. Add new files with the next number and list them here. */
export const migrations: readonly Migration[] = [createEvents, createSources, createMarketingData];
