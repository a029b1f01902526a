import type { ProductFigures } from '../api/analytics-types.js';
import { fmtMoney, fmtNumber, fmtPercent } from '../components/format.js';

/** The figure columns a product and a group of products share. */
const FIGURES: { key: string; label: string; cell: (f: ProductFigures) => string }[] = [
  { key: 'views', label: 'Views', cell: (f) => fmtNumber(f.views) },
  { key: 'add-to-cart', label: 'Add-to-cart rate', cell: (f) => fmtPercent(f.addToCartRate) },
  { key: 'conversion', label: 'Conversion', cell: (f) => fmtPercent(f.conversionRate) },
  { key: 'orders', label: 'Orders', cell: (f) => fmtNumber(f.orders) },
  { key: 'units', label: 'Units', cell: (f) => fmtNumber(f.units) },
  { key: 'revenue', label: 'Revenue', cell: (f) => fmtMoney(f.revenue) },
  { key: 'refunds', label: 'Refunds', cell: (f) => fmtNumber(f.refunds) },
  { key: 'refunded', label: 'Refunded', cell: (f) => fmtMoney(f.refundedRevenue) },
];

export function FigureHeaders() {
  return (
    <>
      {FIGURES.map((c) => (
        <th scope="col" class="num" key={c.key}>
          {c.label}
        </th>
      ))}
    </>
  );
}

export function FigureCells({ figures }: { figures: ProductFigures }) {
  return (
    <>
      {FIGURES.map((c) => (
        <td class="num" key={c.key} data-figure={c.key}>
          {c.cell(figures)}
        </td>
      ))}
    </>
  );
}
