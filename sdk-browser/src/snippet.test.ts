// @vitest-environment happy-dom
// @vitest-environment-options {"settings": {"handleDisabledFileLoadingAsSuccess": true}}
import { afterEach, describe, expect, it } from 'vitest';
import { createSextant } from './core/sextant.js';
import { renderSnippet, SNIPPET_METHODS } from './snippet.js';

type Stub = unknown[][] & Record<string, (...a: unknown[]) => unknown>;
const w = window as unknown as { sextant?: Stub };

afterEach(() => {
  delete w.sextant;
  document.head.innerHTML = '';
});

const run = (code: string) => new Function(code)();

describe('renderSnippet', () => {
  it('prints the stub and the load call', () => {
    const code = renderSnippet({ writeKey: 'wk_1', scriptUrl: 'https://shop.example/assets/app.js', options: { autocapture: true } });
    expect(code).toContain('"https://shop.example/assets/app.js"');
    expect(code.endsWith('sextant.load("wk_1",{"autocapture":true});')).toBe(true);
    expect(renderSnippet({ writeKey: 'wk_1', scriptUrl: '/s.js' }).endsWith('sextant.load("wk_1");')).toBe(true);
    expect(code.length).toBeLessThan(1200);
  });

  it('records every call with its time and adds the async script once', () => {
    run(renderSnippet({ writeKey: 'wk_1', scriptUrl: 'https://shop.example/sdk/sextant.js' }));
    const before = Date.now();
    w.sextant!.track!('Product Viewed', { product_id: 'p1' });
    w.sextant!.productAdded!({ product_id: 'p1' });
    const calls = [...w.sextant!];
    expect(calls.map((c) => [c[0], c[1]])).toEqual([
      ['load', ['wk_1']],
      ['track', ['Product Viewed', { product_id: 'p1' }]],
      ['productAdded', [{ product_id: 'p1' }]],
    ]);
    expect(calls.every((c) => typeof c[2] === 'number' && (c[2] as number) >= before - 1000)).toBe(true);
    const scripts = document.querySelectorAll('script');
    expect(scripts).toHaveLength(1);
    expect(scripts[0]!.src).toBe('https://shop.example/sdk/sextant.js');
    expect(scripts[0]!.async).toBe(true);

    // Pasted twice: one stub, one script (the second load call is recorded, and ignored by the SDK).
    run(renderSnippet({ writeKey: 'wk_1', scriptUrl: 'https://shop.example/sdk/sextant.js' }));
    expect(document.querySelectorAll('script')).toHaveLength(1);
    expect(w.sextant!.slice(0, 3)).toEqual(calls);
  });

  it('keeps at most 1,000 calls when the script never arrives (blocked)', () => {
    run(renderSnippet({ writeKey: 'wk_1', scriptUrl: '/s.js' }));
    for (let i = 0; i < 2000; i++) w.sextant!.track!('E');
    expect(w.sextant!.length).toBe(1000);
  });

  it('stubs exactly the methods of the SDK (but user(), which must return a value)', () => {
    const api = createSextant();
    const methods = Object.keys(api).filter((k) => typeof (api as unknown as Record<string, unknown>)[k] === 'function' && !k.startsWith('_'));
    expect([...SNIPPET_METHODS, 'user'].sort()).toEqual(methods.sort());
  });
});
