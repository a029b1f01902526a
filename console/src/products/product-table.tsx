import type { ProductRow } from '../api/analytics-types.js';
import { FigureCells, FigureHeaders } from './product-figures.js';

/** One row per product: what it is (category, brand, tags, price band) and its figures. */
export function ProductTable({ rows }: { rows: ProductRow[] }) {
  return (
    <div class="table-wrap">
      <table data-testid="products-table">
        <caption class="sr-only">Figures per product, revenue in USD</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Category</th>
            <th scope="col">Brand</th>
            <th scope="col">Tags</th>
            <th scope="col">Price band (USD)</th>
            <FigureHeaders />
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.productId}>
              <th scope="row">
                {p.name || p.productId} <span class="hint">{p.name ? p.productId : ''}</span>
              </th>
              <td>{p.category || '–'}</td>
              <td>{p.brand || '–'}</td>
              <td>
                {p.tags.map((t) => (
                  <span class="pill" key={t}>
                    {t}
                  </span>
                ))}
              </td>
              <td>{p.priceBand || '–'}</td>
              <FigureCells figures={p} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
