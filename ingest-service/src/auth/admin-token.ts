import { SignJWT, jwtVerify } from 'jose';
import { SextantError } from '../errors.js';

/** admin: everything; marketer: segments and tags (and reading); viewer: read only. */
export const ADMIN_ROLES = ['admin', 'marketer', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export interface AdminPrincipal {
  subject: string;
  role: AdminRole;
}

const ISSUER = 'sextant';

/** Signs an admin API token (HS256). `expiresIn` uses jose's syntax: "30d", "12h". */
export async function signAdminToken(secret: string, principal: AdminPrincipal, expiresIn = '30d'): Promise<string> {
  return new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.subject)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** Verifies a `Bearer <jwt>` header and returns who is calling; throws UNAUTHORIZED otherwise. */
export async function verifyAdminToken(secret: string, authorization: string | undefined): Promise<AdminPrincipal> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) throw new SextantError('UNAUTHORIZED', 'send an admin token as "Authorization: Bearer <token>" (create one with `sextant token`)');
  try {
    const { payload } = await jwtVerify(match[1]!, new TextEncoder().encode(secret), { algorithms: ['HS256'], issuer: ISSUER });
    const role = ADMIN_ROLES.find((r) => r === payload.role);
    if (!role || typeof payload.sub !== 'string') throw new Error('token lacks a role or subject');
    return { subject: payload.sub, role };
  } catch (err) {
    throw new SextantError('UNAUTHORIZED', `the admin token is not valid: ${err instanceof Error ? err.message : String(err)}`);
  }
}
