import { createCustomAudienceDestination } from '../custom-audience/custom-audience-destination.js';

/**
 * Instagram: the same Meta Custom Audience API (meta.md §1.1: there is no separate Instagram
 * upload), as its own destination with its own ad account/audience and an `[IG]` name prefix, so a
 * marketer targets it from ad sets with publisher_platforms ["instagram"] independently of Facebook.
 */
export const instagramCustomAudience = createCustomAudienceDestination({
  id: 'instagram-custom-audience',
  name: 'Instagram Custom Audience',
  description: 'Customer-list Custom Audience for Instagram placements (own audience, "[IG] " name prefix); target it with publisher_platforms ["instagram"].',
  namePrefix: '[IG] ',
});
