import type { DestinationDefinition } from './connector.js';
import { conversionsApi } from './conversions-api/index.js';
import { facebookCustomAudience } from './facebook-custom-audience/index.js';
import { instagramCustomAudience } from './instagram-custom-audience/index.js';
import { whatsappTemplate } from './whatsapp/index.js';

/** Every destination. Adding one: a folder with its definition, and one line here. */
export const destinations: readonly DestinationDefinition[] = [
  facebookCustomAudience,
  instagramCustomAudience,
  whatsappTemplate,
  conversionsApi,
];

export function findDestination(id: string): DestinationDefinition | undefined {
  return destinations.find((d) => d.id === id);
}
