import type { Migration } from '../migration.js';

/**
 * `person_traits.country`: the person's latest non-empty country (identify traits `country` or
 * `address.country`, or an event's `context.location.country`), so funnels can be broken down by
 * country on data that carries it only in identify calls (the storefront simulator, most SDKs).
 * Appended last: the traits refresh inserts by position. Rows of older versions read `''` until the
 * next refresh writes a new version.
 */
export const addPersonCountryTrait: Migration = {
  version: 35,
  name: 'add-person-country-trait',
  statements: [`ALTER TABLE person_traits ADD COLUMN IF NOT EXISTS country String`],
};
