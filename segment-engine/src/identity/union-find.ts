import { isMoreCanonical, kindOf, type IdentifierKind } from './identifier.js';

export interface IdentityRules {
  /**
   * Kinds of which one person holds at most one identifier. Default `['u']`: two different userIds
   * never merge, whatever joins them (a shared device, a shared email). Add `'e'` to keep one email per
   * person as well.
   */
  uniqueKinds: readonly IdentifierKind[];
}

export const DEFAULT_IDENTITY_RULES: IdentityRules = { uniqueKinds: ['u'] };

export interface Resolution {
  /** Every identifier seen in an edge → the canonical identifier of its person. */
  canonical: Map<string, string>;
  /** Edges refused because they would have joined two identifiers of a unique kind. */
  refused: number;
}

/**
 * Connected components of the identity graph, with the unique-kind rule. Edges must come in a
 * deterministic order (earliest event first, ties by the identifiers): then the answer depends only
 * on the set of edges, not on when or in which order events arrived. An edge that would put two
 * userIds in one person is refused; the earlier link wins (a device used first by u1 stays with u1).
 */
export function resolveComponents(edges: Iterable<readonly [string, string]>, rules: IdentityRules = DEFAULT_IDENTITY_RULES): Resolution {
  const parent = new Map<string, string>();
  /** Per root: the identifier of each unique kind the component holds. */
  const uniques = new Map<string, Map<IdentifierKind, string>>();
  const unique = new Set<string>(rules.uniqueKinds);

  const find = (x: string): string => {
    let root = x;
    for (let p = parent.get(root); p !== undefined && p !== root; p = parent.get(root)) root = p;
    // Path compression.
    for (let cur = x; cur !== root; ) {
      const next = parent.get(cur)!;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  const add = (x: string) => {
    if (parent.has(x)) return;
    parent.set(x, x);
    const kind = kindOf(x);
    if (kind && unique.has(kind)) uniques.set(x, new Map([[kind, x]]));
  };

  let refused = 0;
  for (const [a, b] of edges) {
    add(a);
    add(b);
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) continue;
    const ua = uniques.get(ra);
    const ub = uniques.get(rb);
    if (ua && ub && [...ua].some(([kind, id]) => ub.has(kind) && ub.get(kind) !== id)) {
      refused += 1;
      continue;
    }
    // Attach the smaller set of unique identifiers to the other root.
    parent.set(rb, ra);
    if (ub) {
      const merged = ua ?? new Map<IdentifierKind, string>();
      for (const [kind, id] of ub) merged.set(kind, id);
      uniques.set(ra, merged);
      uniques.delete(rb);
    }
  }

  const best = new Map<string, string>();
  for (const x of parent.keys()) {
    const root = find(x);
    const current = best.get(root);
    if (current === undefined || isMoreCanonical(x, current)) best.set(root, x);
  }
  const canonical = new Map<string, string>();
  for (const x of parent.keys()) canonical.set(x, best.get(find(x))!);
  return { canonical, refused };
}
