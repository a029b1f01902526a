// @vitest-environment happy-dom
// @vitest-environment-options {"url": "https://shop.brand.com/"}
import { beforeAll, describe, expect, it } from 'vitest';
import { watchNavigation } from './page-views.js';

const urls: string[] = [];
beforeAll(() => watchNavigation(() => urls.push(location.pathname + location.search)));

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('watchNavigation', () => {
  it('reports pushState, replaceState and popstate after the router has run', async () => {
    history.pushState({ a: 1 }, '', '/products');
    expect(urls).toEqual([]); // deferred by a tick
    await tick();
    history.replaceState(null, '', '/products?page=2');
    await tick();
    window.dispatchEvent(new PopStateEvent('popstate'));
    await tick();
    expect(urls).toEqual(['/products', '/products?page=2', '/products?page=2']);
  });

  it('keeps the original history methods working (state, return value)', async () => {
    const result = history.pushState({ step: 3 }, '', '/checkout');
    expect(result).toBeUndefined();
    expect(history.state).toEqual({ step: 3 });
    expect(location.pathname).toBe('/checkout');
  });
});
