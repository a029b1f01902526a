import type { FastifyInstance } from 'fastify';
import { verifyAdminToken, type AdminRole } from '../auth/admin-token.js';
import { SextantError } from '../errors.js';

/**
 * Adds bearer-token auth to every route of the plugin it is called in. Routes that change things
 * declare `config: { role: 'admin' }` (or `'marketer'`: marketer or admin); the rest accept any valid token.
 */
export function requireAdminToken(app: FastifyInstance, jwtSecret: string): void {
  app.addHook('onRequest', async (request) => {
    const principal = await verifyAdminToken(jwtSecret, request.headers.authorization);
    const needed = request.routeOptions.config.role;
    if (needed === 'admin' && principal.role !== 'admin') {
      throw new SextantError('FORBIDDEN', `this needs the admin role; the token has "${principal.role}"`);
    }
    // 'marketer' routes (segments, tags) accept a marketer or an admin.
    if (needed === 'marketer' && principal.role !== 'marketer' && principal.role !== 'admin') {
      throw new SextantError('FORBIDDEN', `this needs the marketer or admin role; the token has "${principal.role}"`);
    }
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a route needs; any valid token when absent. */
    role?: AdminRole;
  }
}
