/**
 * An identifier is `<kind>:<value>`: `u:` userId, `a:` anonymousId, `e:` email (trimmed, lower case),
 * `p:` phone (E.164). The string form is what `identity_edges` and `identity_map` store, and
 * `cityHash64` of a component's canonical identifier is the person id.
 */
export const IDENTIFIER_KINDS = ['u', 'e', 'p', 'a'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

export const KIND_NAMES: Record<IdentifierKind, string> = { u: 'user_id', e: 'email', p: 'phone', a: 'anonymous_id' };

/** Rank used to pick a component's canonical identifier: a userId first, an anonymous id last. */
const KIND_RANK: Record<string, number> = { u: 0, e: 1, p: 2, a: 3 };

export function kindOf(identifier: string): IdentifierKind | undefined {
  const k = identifier.slice(0, identifier.indexOf(':'));
  return (IDENTIFIER_KINDS as readonly string[]).includes(k) ? (k as IdentifierKind) : undefined;
}

/** True when `a` is a better canonical identifier than `b` (lower kind rank, then smaller value). */
export function isMoreCanonical(a: string, b: string): boolean {
  const ra = KIND_RANK[a.slice(0, 1)] ?? 9;
  const rb = KIND_RANK[b.slice(0, 1)] ?? 9;
  return ra !== rb ? ra < rb : a < b;
}

export function normalizeEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : undefined;
}
