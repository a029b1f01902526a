import type { ClickHouseClient } from '@clickhouse/client';
import { productQuerySchema, type ProductGrouping, type ProductQueryInput } from '@sextant/schemas';
import { DefinitionError } from '../errors.js';
import { LATEST_RATES_SQL } from './attribution-query.js';

/** The figures of a product or of a group of products (a category, a tag). */
export interface ProductFigures {
  views: number; adds: number; orders: number; units: number; revenue: number; refunds: number; refundedRevenue: number;
  /** adds / views, orders / views (0 without views). */
  addToCartRate: number; conversionRate: number;
}

export interface ProductRow extends ProductFigures {
  productId: string; name: string; category: string; brand: string;
  /** The product's tags (latest non-empty `tags` seen: a JSON array or a comma-separated string). */
  tags: string[];
  /** Band of the latest unit price seen, in USD (`PRICE_BAND_SQL`); '' when no price was seen. */
  priceBand: string;
}

export interface ProductGroupRow extends ProductFigures {
  /** The category or tag; `(none)` for products without one. */
  value: string;
  /** Products in the group with any event in the range. */
  products: number;
}

export interface SharedAttribute {
  attribute: 'brand' | 'category' | 'price_band' | 'tag';
  value: string;
  /** Best sellers with the value, and products sold with it. */
  bestSellers: number; products: number;
  /** Those over the number of best sellers / of products sold; lift = the first over the second. */
  shareOfBestSellers: number; shareOfProducts: number; lift: number;
}

type Range = { from: string; to: string };
type OrderBy = 'revenue' | 'units' | 'views';

/** Unit price bands in USD ([25, 50) is `25-50`). */
const PRICE_BAND_SQL = (price: string) =>
  `multiIf(${price} <= 0, '', ${price} < 25, '<25', ${price} < 50, '25-50', ${price} < 100, '50-100', ${price} < 200, '100-200', '200+')`;

/** A JSON id that may be a string or a number (store platforms send both), as text. */
const JSON_ID = (json: string, key: string) =>
  `multiIf(JSONType(${json}, '${key}') = 'String', JSONExtractString(${json}, '${key}'), JSONType(${json}, '${key}') IN ('Int64', 'UInt64', 'Double'), JSONExtractRaw(${json}, '${key}'), '')`;

/**
 * One row per product of a product event in [from, to): views and adds (their own properties), orders
 * and refunds (each item of `products[]`), with the unit price and line amount in USD (latest rate).
 */
const ITEMS_SQL = `SELECT e.event AS event, e.timestamp AS ts, e.order_id AS order_id,
      ${JSON_ID('item', 'product_id')} AS product_id, JSONExtractString(item, 'name') AS name,
      JSONExtractString(item, 'category') AS category, JSONExtractString(item, 'brand') AS brand,
      arrayDistinct(arrayFilter(t -> t != '', arrayMap(t -> trimBoth(t),
        if(JSONType(item, 'tags') = 'Array', JSONExtract(item, 'tags', 'Array(String)'), splitByChar(',', JSONExtractString(item, 'tags')))))) AS tags,
      if(JSONHas(item, 'quantity'), JSONExtractFloat(item, 'quantity'), 1) AS qty,
      JSONExtractFloat(item, 'price') / if(x.usd_rate > 0, x.usd_rate, 1) AS unit_usd,
      unit_usd * qty AS amount
    FROM (SELECT event, timestamp, if(order_id != '', order_id, JSONExtractString(properties, 'order_id')) AS order_id,
            if(event IN ('Order Completed', 'Order Refunded'), JSONExtractArrayRaw(properties, 'products'), [properties]) AS items,
            if(currency != '', currency, JSONExtractString(properties, 'currency')) AS cur
          FROM events
          WHERE event IN ('Product Viewed', 'Product Added', 'Order Completed', 'Order Refunded')
            AND timestamp >= toDateTime64({from:String}, 3, 'UTC') AND timestamp < toDateTime64({to:String}, 3, 'UTC')) AS e
    ARRAY JOIN e.items AS item
    LEFT ANY JOIN ${LATEST_RATES_SQL} AS x ON x.currency = e.cur`;

/**
 * Per product over [from, to): name, category, brand, tags and price band from its latest event that
 * has them; views, adds, units, revenue and refunded revenue (USD); orders and refunds as uniqExact
 * states of order ids, so a group of products counts an order with several of its products once.
 * Counts events (not persons).
 */
export const PRODUCT_STATS_SQL = `SELECT product_id,
    argMaxIf(name, ts, name != '') AS name, argMaxIf(category, ts, category != '') AS category, argMaxIf(brand, ts, brand != '') AS brand,
    argMaxIf(tags, ts, notEmpty(tags)) AS tags, ${PRICE_BAND_SQL('argMaxIf(unit_usd, ts, unit_usd > 0)')} AS price_band,
    countIf(event = 'Product Viewed') AS views, countIf(event = 'Product Added') AS adds,
    uniqExactStateIf(order_id, event = 'Order Completed') AS orders_state, sumIf(qty, event = 'Order Completed') AS units,
    sumIf(amount, event = 'Order Completed') AS revenue, uniqExactStateIf(order_id, event = 'Order Refunded') AS refunds_state,
    sumIf(amount, event = 'Order Refunded') AS refunded_revenue
  FROM (${ITEMS_SQL})
  WHERE product_id != ''
  GROUP BY product_id`;

/** The rates of a row with `views`, `adds` and `orders`. */
const RATES_SQL = `if(views > 0, adds / views, 0) AS add_to_cart_rate, if(views > 0, orders / views, 0) AS conversion_rate`;

type Row = Record<string, string | number | string[]>;
const figures = (r: Row): ProductFigures => ({
  views: Number(r.views), adds: Number(r.adds), orders: Number(r.orders), units: Number(r.units), revenue: Number(r.revenue),
  refunds: Number(r.refunds), refundedRevenue: Number(r.refunded_revenue),
  addToCartRate: Number(r.add_to_cart_rate), conversionRate: Number(r.conversion_rate),
});

async function rows(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<Row[]> {
  return (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<Row>();
}

export async function productAnalytics(client: ClickHouseClient, range: Range, options: { orderBy?: OrderBy; limit?: number } = {}): Promise<ProductRow[]> {
  const orderBy = ORDER_COLUMNS[options.orderBy ?? 'revenue'];
  const out = await rows(client, `SELECT product_id, name, category, brand, tags, price_band, views, adds, finalizeAggregation(orders_state) AS orders, units,
      revenue, finalizeAggregation(refunds_state) AS refunds, refunded_revenue, ${RATES_SQL}
    FROM (${PRODUCT_STATS_SQL}) ORDER BY ${orderBy} DESC, product_id LIMIT {limit:UInt32}`, { ...timeParams(range), limit: options.limit ?? 100 });
  return out.map((r) => ({
    productId: String(r.product_id), name: String(r.name), category: String(r.category), brand: String(r.brand),
    ...figures(r), tags: r.tags as string[], priceBand: String(r.price_band),
  }));
}

/** Allow-lists of what reaches SQL as an identifier. */
const ORDER_COLUMNS: Record<OrderBy, string> = { revenue: 'revenue', units: 'units', views: 'views' };
const GROUP_KEYS: Record<Exclude<ProductGrouping, 'product'>, { arrayJoin: string; key: string }> = {
  category: { arrayJoin: '', key: `if(category = '', '(none)', category)` },
  // A product counts in each of its tags (so tag rows do not add up to the total); untagged: (none).
  tag: { arrayJoin: `ARRAY JOIN if(empty(tags), ['(none)'], tags) AS tag`, key: 'tag' },
};

/**
 * The figures per product category or per product tag (a product's category and tags as in
 * `PRODUCT_STATS_SQL`): sums of the products' figures, orders and refunds as distinct order ids.
 */
export async function productGroupAnalytics(client: ClickHouseClient, range: Range, groupBy: 'category' | 'tag', options: { orderBy?: OrderBy; limit?: number } = {}): Promise<ProductGroupRow[]> {
  const g = GROUP_KEYS[groupBy];
  const orderBy = ORDER_COLUMNS[options.orderBy ?? 'revenue'];
  const out = await rows(client, `SELECT value, products, views, adds, orders, units, revenue, refunds, refunded_revenue, ${RATES_SQL}
    FROM (SELECT ${g.key} AS value, count() AS products, sum(views) AS views, sum(adds) AS adds, uniqExactMerge(orders_state) AS orders,
        sum(units) AS units, sum(revenue) AS revenue, uniqExactMerge(refunds_state) AS refunds, sum(refunded_revenue) AS refunded_revenue
      FROM (${PRODUCT_STATS_SQL}) ${g.arrayJoin}
      GROUP BY value)
    ORDER BY ${orderBy} DESC, value LIMIT {limit:UInt32}`, { ...timeParams(range), limit: options.limit ?? 100 });
  return out.map((r) => ({ value: String(r.value), products: Number(r.products), ...figures(r) }));
}

/**
 * The best sellers (the top `top` products sold by revenue, ties by product id) and what they share:
 * for each category, brand, price band and tag value, the share of best sellers with it against the
 * share of all products sold (orders > 0 in the range) with it, and the lift (the first over the
 * second; > 1: over-represented among the hits). Only values some best seller has; empty values left out.
 */
export async function bestSellerAttributes(client: ClickHouseClient, range: Range, top = 10): Promise<SharedAttribute[]> {
  const out = await rows(client, `SELECT attr, value, in_top, in_all, in_top / n_top AS share_top, in_all / n_all AS share_all, share_top / share_all AS lift
    FROM (
      SELECT kv.1 AS attr, kv.2 AS value, countIf(rank <= {top:UInt32}) AS in_top, count() AS in_all, any(n_top) AS n_top, any(n_all) AS n_all
      FROM (SELECT category, brand, price_band, tags, row_number() OVER (ORDER BY revenue DESC, product_id) AS rank,
              count() OVER () AS n_all, least(count() OVER (), {top:UInt32}) AS n_top
            FROM (${PRODUCT_STATS_SQL}) WHERE finalizeAggregation(orders_state) > 0)
      ARRAY JOIN arrayConcat([('brand', brand), ('category', category), ('price_band', price_band)], arrayMap(t -> ('tag', t), tags)) AS kv
      WHERE kv.2 != ''
      GROUP BY attr, value)
    WHERE in_top > 0 ORDER BY attr, in_top DESC, value`, { ...timeParams(range), top });
  return out.map((r) => ({
    attribute: String(r.attr) as SharedAttribute['attribute'], value: String(r.value), bestSellers: Number(r.in_top), products: Number(r.in_all),
    shareOfBestSellers: Number(r.share_top), shareOfProducts: Number(r.share_all), lift: Number(r.lift),
  }));
}

/**
 * The products API answer: per product figures (always, as before), per category or tag when asked
 * (`groups`), and the best sellers' shared attributes. Bad input: `DefinitionError` (400).
 */
export async function productReport(client: ClickHouseClient, input: ProductQueryInput) {
  const parsed = productQuerySchema.safeParse(input);
  if (!parsed.success) throw new DefinitionError(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const q = parsed.data;
  const range = { from: q.from, to: q.to };
  const options = { orderBy: q.order_by, limit: q.limit };
  return {
    groupBy: q.group_by,
    products: await productAnalytics(client, range, options),
    ...(q.group_by === 'product' ? {} : { groups: await productGroupAnalytics(client, range, q.group_by, options) }),
    bestSellerAttributes: await bestSellerAttributes(client, range, q.top),
  };
}

function timeParams(range: Range): { from: string; to: string } {
  return { from: time(range.from), to: time(range.to) };
}

function time(v: string): string {
  return new Date(v.length <= 10 ? `${v}T00:00:00Z` : v).toISOString().slice(0, 19).replace('T', ' ');
}
