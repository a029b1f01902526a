/**
 * Calls `onNavigate` after every single-page-app navigation: `history.pushState` and `replaceState`
 * (wrapped, the originals still run first) and `popstate` (back/forward). Deferred by a tick so that
 * the router has updated the title; the caller decides whether the URL really changed.
 */
export function watchNavigation(onNavigate: () => void): void {
  const later = () => setTimeout(onNavigate, 0);
  const h = history as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['pushState', 'replaceState']) {
    const original = h[name]!;
    h[name] = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      later();
      return result;
    };
  }
  addEventListener('popstate', later);
}
