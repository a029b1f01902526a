import type { ClickHouseClient } from '@clickhouse/client';
import { LATEST_RATES_SQL } from './attribution-query.js';

export interface ProductRow {
  productId: string; name: string; category: string; brand: string;
  views: number; adds: number; orders: number; units: number; revenue: number; refunds: number; refundedRevenue: number;
  /** adds / views, orders / views. */
  addToCartRate: number; conversionRate: number;
}

/**
 * Per product over [from, to): views and adds (their `product_id` property), orders, units and revenue
 * (USD, from the order's `products[]`: price × quantity), refunds (`Order Refunded` products[]). Name,
 * category and brand come from the latest view. Counts events (not persons).
 */
export const PRODUCT_STATS_SQL = `SELECT product_id,
    argMaxIf(name, ts, name != '') AS name, argMaxIf(category, ts, category != '') AS category, argMaxIf(brand, ts, brand != '') AS brand,
    countIf(event = 'Product Viewed') AS views, countIf(event = 'Product Added') AS adds,
    uniqExactIf(order_id, event = 'Order Completed') AS orders, sumIf(qty, event = 'Order Completed') AS units,
    sumIf(amount, event = 'Order Completed') AS revenue, uniqExactIf(order_id, event = 'Order Refunded') AS refunds,
    sumIf(amount, event = 'Order Refunded') AS refunded_revenue
  FROM (
    SELECT e.event AS event, e.timestamp AS ts, e.order_id AS order_id,
      JSONExtractString(item, 'product_id') AS product_id, JSONExtractString(item, 'name') AS name,
      JSONExtractString(item, 'category') AS category, JSONExtractString(item, 'brand') AS brand,
      if(JSONHas(item, 'quantity'), JSONExtractFloat(item, 'quantity'), 1) AS qty,
      JSONExtractFloat(item, 'price') * qty / if(x.usd_rate > 0, x.usd_rate, 1) AS amount
    FROM (SELECT event, timestamp, if(order_id != '', order_id, JSONExtractString(properties, 'order_id')) AS order_id,
            if(event IN ('Order Completed', 'Order Refunded'), JSONExtractArrayRaw(properties, 'products'), [properties]) AS items,
            if(currency != '', currency, JSONExtractString(properties, 'currency')) AS cur
          FROM events
          WHERE event IN ('Product Viewed', 'Product Added', 'Order Completed', 'Order Refunded')
            AND timestamp >= toDateTime64({from:String}, 3, 'UTC') AND timestamp < toDateTime64({to:String}, 3, 'UTC')) AS e
    ARRAY JOIN e.items AS item
    LEFT ANY JOIN ${LATEST_RATES_SQL} AS x ON x.currency = e.cur
  )
  WHERE product_id != ''
  GROUP BY product_id`;

export async function productAnalytics(client: ClickHouseClient, range: { from: string; to: string }, options: { orderBy?: 'revenue' | 'units' | 'views'; limit?: number } = {}): Promise<ProductRow[]> {
  const orderBy = { revenue: 'revenue', units: 'units', views: 'views' }[options.orderBy ?? 'revenue'];
  const rs = await client.query({
    query: `${PRODUCT_STATS_SQL} ORDER BY ${orderBy} DESC, product_id LIMIT {limit:UInt32}`,
    query_params: { from: time(range.from), to: time(range.to), limit: options.limit ?? 100 },
    format: 'JSONEachRow',
  });
  return (await rs.json<Record<string, string | number>>()).map((r) => {
    const views = Number(r.views);
    return {
      productId: String(r.product_id), name: String(r.name), category: String(r.category), brand: String(r.brand),
      views, adds: Number(r.adds), orders: Number(r.orders), units: Number(r.units), revenue: Number(r.revenue),
      refunds: Number(r.refunds), refundedRevenue: Number(r.refunded_revenue),
      addToCartRate: views > 0 ? Number(r.adds) / views : 0, conversionRate: views > 0 ? Number(r.orders) / views : 0,
    };
  });
}

/**
 * The best sellers (top `top` by revenue) and what they share: for each attribute value (category,
 * brand) its share among the best sellers against its share among all products sold, and the lift.
 */
export async function bestSellerAttributes(client: ClickHouseClient, range: { from: string; to: string }, top = 10) {
  const rs = await client.query({
    query: `SELECT attr, value, countIf(rank <= {top:UInt32}) AS in_top, count() AS in_all
      FROM (SELECT category, brand, row_number() OVER (ORDER BY revenue DESC, product_id) AS rank FROM (${PRODUCT_STATS_SQL}) WHERE orders > 0)
      ARRAY JOIN [('category', category), ('brand', brand)] AS kv
      GROUP BY kv.1 AS attr, kv.2 AS value ORDER BY attr, in_top DESC, value`,
    query_params: { from: time(range.from), to: time(range.to), top },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ attr: string; value: string; in_top: string; in_all: string }>();
  const topTotal = rows.filter((r) => r.attr === 'category').reduce((a, r) => a + Number(r.in_top), 0);
  const allTotal = rows.filter((r) => r.attr === 'category').reduce((a, r) => a + Number(r.in_all), 0);
  return rows.filter((r) => Number(r.in_top) > 0).map((r) => {
    const shareTop = Number(r.in_top) / topTotal;
    const shareAll = Number(r.in_all) / allTotal;
    return { attribute: r.attr, value: r.value, bestSellers: Number(r.in_top), products: Number(r.in_all), shareOfBestSellers: shareTop, lift: shareTop / shareAll };
  });
}

function time(v: string): string {
  return new Date(v.length <= 10 ? `${v}T00:00:00Z` : v).toISOString().slice(0, 19).replace('T', ' ');
}
