/**
 * The analytics API's queries and answers, as `@sextant/schemas` and the engine declare them: imported
 * as types only (erased from the bundle: the console ships no engine code). The engine's package entry
 * would pull the whole server into the browser typecheck, so its two analytics modules are named directly.
 */
import type { productReport } from '../../../segment-engine/src/analytics/product-analytics.js';

export type { MarketingKpiName, MarketingKpiQuery, ProductGrouping, ProductQuery } from '@sextant/schemas';
export type { MarketingKpis, MarketingKpiRow, MarketingKpiValue } from '../../../segment-engine/src/analytics/marketing-kpis.js';
export type { ProductFigures, ProductGroupRow, ProductRow, SharedAttribute } from '../../../segment-engine/src/analytics/product-analytics.js';

/** `GET /api/analytics/products`: `groups` only with `group_by` category or tag. */
export type ProductReport = Awaited<ReturnType<typeof productReport>>;
