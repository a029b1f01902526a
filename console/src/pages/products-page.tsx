import { useState } from 'preact/hooks';
import { useApp } from '../app/app-context.js';
import type { ProductGrouping, ProductQuery, ProductReport } from '../api/analytics-types.js';
import { AsyncView, Empty } from '../components/status.js';
import { useAsync } from '../components/use-async.js';
import { daysAgo } from '../components/format.js';
import { ProductTable } from '../products/product-table.js';
import { ProductGroupTable } from '../products/product-group-table.js';
import { SharedAttributesTable } from '../products/shared-attributes-table.js';

/** Views, add-to-cart, conversion, revenue and refunds per product, category or tag, and what the best sellers share. */
export function ProductsPage() {
  const { api } = useApp();
  const [from, setFrom] = useState(daysAgo(30));
  const [to, setTo] = useState(daysAgo(-1));
  const [top, setTop] = useState('10');
  // Dates and the best-seller count apply on Update; the selects at once.
  const [query, setQuery] = useState<ProductQuery>({ from, to, top: 10, limit: 100, group_by: 'product', order_by: 'revenue' });
  const [state, reload] = useAsync((signal) => api.get<ProductReport>('/api/analytics/products', query, signal), [JSON.stringify(query)]);
  return (
    <section aria-labelledby="products-title">
      <h1 id="products-title">Products</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({ ...query, from, to, top: Number(top) });
        }}
      >
        <label>
          From
          <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To (not included)
          <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <label>
          Best sellers
          <input type="number" min={1} max={100} value={top} onInput={(e) => setTop(e.currentTarget.value)} />
        </label>
        <button type="submit">Update</button>
        <label>
          Group by
          <select aria-label="Group by" value={query.group_by} onChange={(e) => setQuery({ ...query, group_by: e.currentTarget.value as ProductGrouping })}>
            <option value="product">product</option>
            <option value="category">category</option>
            <option value="tag">tag</option>
          </select>
        </label>
        <label>
          Order by
          <select aria-label="Order by" value={query.order_by} onChange={(e) => setQuery({ ...query, order_by: e.currentTarget.value as ProductQuery['order_by'] })}>
            <option value="revenue">revenue</option>
            <option value="units">units</option>
            <option value="views">views</option>
          </select>
        </label>
      </form>
      <AsyncView state={state} onRetry={reload} label="Computing product figures…">
        {(report) => {
          if (report.products.length === 0)
            return (
              <Empty>
                No product was viewed, added to a cart or ordered from {query.from} to {query.to}. Product figures come from <code>Product Viewed</code>, <code>Product Added</code>, <code>Order Completed</code> and <code>Order Refunded</code> events with product ids.
              </Empty>
            );
          return (
            <>
              {report.groupBy === 'product' || !report.groups ? <ProductTable rows={report.products} /> : <ProductGroupTable rows={report.groups} groupBy={report.groupBy} />}
              <h2>What the best sellers share</h2>
              <p class="hint">
                The top {query.top} products by revenue against every product sold in the range: a lift above 1 means the value is more common among the best sellers.
              </p>
              {report.bestSellerAttributes.length === 0 ? (
                <Empty>No product was sold from {query.from} to {query.to}, so there are no best sellers yet.</Empty>
              ) : (
                <SharedAttributesTable rows={report.bestSellerAttributes} />
              )}
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
