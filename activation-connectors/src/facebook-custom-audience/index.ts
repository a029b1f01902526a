import { createCustomAudienceDestination } from '../custom-audience/custom-audience-destination.js';

/** Facebook Custom Audience: a customer list in the ad account, for Facebook placements. */
export const facebookCustomAudience = createCustomAudienceDestination({
  id: 'facebook-custom-audience',
  name: 'Facebook Custom Audience',
  description: 'Customer-list Custom Audience (hashed multi-key rows), kept in sync with the segment; target it from ad sets with publisher_platforms ["facebook"].',
  namePrefix: '',
});
