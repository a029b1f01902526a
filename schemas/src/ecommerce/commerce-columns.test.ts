import { describe, expect, it } from 'vitest';
import { commerceColumns, MAX_PRODUCT_IDS } from './commerce-columns.js';

describe('commerceColumns', () => {
  it('maps an order: numeric ids as text, revenue, upper-cased currency, product ids (sku when no product_id)', () => {
    expect(commerceColumns({ order_id: 1042, revenue: 80.5, currency: 'usd', products: [{ product_id: 7 }, { sku: 'SKU-2' }, { name: 'no id' }, null, 'x'] }))
      .toEqual({ order_id: '1042', revenue: 80.5, currency: 'USD', product_ids: ['7', 'SKU-2'] });
  });

  it('takes total when there is no revenue, and a product event\'s own id', () => {
    expect(commerceColumns({ total: 12, product_id: 'p1' })).toEqual({ order_id: '', revenue: 12, currency: '', product_ids: ['p1'] });
  });

  it('gives empty columns for other events and ignores values of the wrong type', () => {
    expect(commerceColumns({ revenue: '80', currency: 3, order_id: { a: 1 }, products: 'p' })).toEqual({ order_id: '', revenue: null, currency: '', product_ids: [] });
    expect(commerceColumns({ revenue: Number.NaN }).revenue).toBeNull();
  });

  it(`keeps at most ${MAX_PRODUCT_IDS} product ids`, () => {
    const products = Array.from({ length: MAX_PRODUCT_IDS + 5 }, (_, i) => ({ product_id: `p${i}` }));
    expect(commerceColumns({ products }).product_ids).toHaveLength(MAX_PRODUCT_IDS);
  });
});
