import type { SharedAttribute } from '../api/analytics-types.js';
import { fmtNumber, fmtPercent } from '../components/format.js';

const ATTRIBUTE_LABELS: Record<SharedAttribute['attribute'], string> = { brand: 'Brand', category: 'Category', price_band: 'Price band (USD)', tag: 'Tag' };

/** What the best sellers have in common: each value's share among them against its share among all products sold. */
export function SharedAttributesTable({ rows }: { rows: SharedAttribute[] }) {
  return (
    <div class="table-wrap">
      <table data-testid="best-seller-attributes">
        <caption class="sr-only">Attributes of the best sellers, with their share and lift</caption>
        <thead>
          <tr>
            <th scope="col">Attribute</th>
            <th scope="col">Value</th>
            <th scope="col" class="num">
              Best sellers
            </th>
            <th scope="col" class="num">
              Share of best sellers
            </th>
            <th scope="col" class="num">
              Share of products sold
            </th>
            <th scope="col" class="num">
              Lift
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={`${a.attribute}:${a.value}`}>
              <td>{ATTRIBUTE_LABELS[a.attribute]}</td>
              <th scope="row">{a.value}</th>
              <td class="num" data-figure="best-sellers">
                {fmtNumber(a.bestSellers)} <span class="hint">of {fmtNumber(a.products)} sold</span>
              </td>
              <td class="num" data-figure="share-of-best-sellers">
                {fmtPercent(a.shareOfBestSellers, 0)}
              </td>
              <td class="num" data-figure="share-of-products">
                {fmtPercent(a.shareOfProducts, 0)}
              </td>
              <td class={a.lift > 1 ? 'num up' : 'num'} data-figure="lift">
                ×{fmtNumber(a.lift)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
