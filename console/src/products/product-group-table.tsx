import type { ProductGroupRow } from '../api/analytics-types.js';
import { fmtNumber } from '../components/format.js';
import { FigureCells, FigureHeaders } from './product-figures.js';

/** One row per category or tag (a product counts in each of its tags, so tag rows do not add up). */
export function ProductGroupTable({ rows, groupBy }: { rows: ProductGroupRow[]; groupBy: 'category' | 'tag' }) {
  return (
    <div class="table-wrap">
      <table data-testid="product-groups-table">
        <caption class="sr-only">Figures per product {groupBy}, revenue in USD</caption>
        <thead>
          <tr>
            <th scope="col">{groupBy === 'category' ? 'Category' : 'Tag'}</th>
            <th scope="col" class="num">
              Products
            </th>
            <FigureHeaders />
          </tr>
        </thead>
        <tbody>
          {rows.map((g) => (
            <tr key={g.value}>
              <th scope="row">{g.value}</th>
              <td class="num" data-figure="products">
                {fmtNumber(g.products)}
              </td>
              <FigureCells figures={g} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
