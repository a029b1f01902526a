/** The simulation's advertising side as table rows: ad spend from the counted ad visits, rates, affiliates. */
import { AdVisitCounter, buildAdSpend, buildAffiliates, buildExchangeRates } from '../advertising/ad-spend.js';
import type { SideData } from '../csv/import-side-table.js';
import type { ShopperWorld } from '../journeys/simulate-shopper.js';

export function buildSideData(world: ShopperWorld, counter: AdVisitCounter): SideData {
  return {
    ad_spend: buildAdSpend(world, counter),
    exchange_rates: buildExchangeRates(world),
    affiliates: buildAffiliates(),
  };
}

export { AdVisitCounter };
