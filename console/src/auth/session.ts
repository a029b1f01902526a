/**
 * The signed-in token: a JWT from `sextant token`, kept in sessionStorage (gone when the tab closes).
 * The console only reads the payload to shape the UI (role, subject, expiry); the server verifies it.
 */
export type Role = 'admin' | 'marketer' | 'viewer';

export interface Session {
  token: string;
  role: Role;
  subject: string;
  /** Expiry, ms since the epoch; undefined when the token has none. */
  expiresAt: number | undefined;
}

const KEY = 'sextant.token';
const ROLES: readonly Role[] = ['admin', 'marketer', 'viewer'];

/** Reads a JWT's payload, or explains why the text is not a usable token. */
export function parseToken(raw: string): Session | string {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3) return 'That is not a JWT (three dot-separated parts). Create one with `npx sextant token`.';
  let payload: { role?: unknown; sub?: unknown; exp?: unknown };
  try {
    const b64 = parts[1]!.replace(/-/g, '+').replace(/_/g, '/');
    payload = JSON.parse(atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), '='))) as typeof payload;
  } catch {
    return 'The token payload cannot be read.';
  }
  const role = ROLES.find((r) => r === payload.role);
  if (!role) return 'The token has no role (admin, marketer or viewer).';
  const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  if (expiresAt !== undefined && expiresAt < Date.now()) return 'The token has expired: create a new one with `npx sextant token`.';
  return { token, role, subject: typeof payload.sub === 'string' ? payload.sub : 'unknown', expiresAt };
}

export function loadSession(): Session | undefined {
  const stored = sessionStorage.getItem(KEY);
  if (!stored) return undefined;
  const session = parseToken(stored);
  if (typeof session === 'string') {
    sessionStorage.removeItem(KEY);
    return undefined;
  }
  return session;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, session.token);
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

/** Marketers and admins change segments, funnels' drop-off segments and alerts; viewers only read. */
export const canEdit = (role: Role): boolean => role === 'admin' || role === 'marketer';
export const isAdmin = (role: Role): boolean => role === 'admin';
