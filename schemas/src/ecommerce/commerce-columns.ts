/**
 * The `events` columns taken from an e-commerce event's properties (Segment's spec): order id,
 * revenue, currency and the product ids. One mapping for the tracking API's row builder and the
 * simulator's bulk writer, so both store the same columns for the same properties.
 */

type Json = Record<string, unknown>;

/** At most this many product ids per event (a cart of more is cut, the properties keep them all). */
export const MAX_PRODUCT_IDS = 200;

export interface CommerceColumns {
  order_id: string;
  revenue: number | null;
  currency: string;
  product_ids: string[];
}

/** The commerce columns of `properties` (empty strings, null revenue and no ids when absent). */
export function commerceColumns(properties: Json): CommerceColumns {
  return {
    order_id: idString(properties.order_id),
    revenue: revenueOf(properties),
    currency: (typeof properties.currency === 'string' ? properties.currency : '').toUpperCase().slice(0, 3),
    product_ids: productIds(properties),
  };
}

/** Ids may arrive as numbers from some store platforms; stored as text. */
export function idString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

/** `revenue`, else `total`; null when the event carries neither. */
function revenueOf(p: Json): number | null {
  for (const key of ['revenue', 'total'] as const) {
    const v = p[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
}

/** `product_id` (or `sku`) of a product event, then those of `products[]`. */
function productIds(p: Json): string[] {
  const ids: string[] = [];
  const single = idString(p.product_id) || idString(p.sku);
  if (single) ids.push(single);
  if (Array.isArray(p.products)) {
    for (const item of p.products) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
      const o = item as Json;
      const id = idString(o.product_id) || idString(o.sku);
      if (id) ids.push(id);
    }
  }
  return ids.slice(0, MAX_PRODUCT_IDS);
}
