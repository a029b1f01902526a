import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

export interface ConsoleRoutesOptions {
  /** The console's Vite build; default: the `console` workspace's `dist/`. */
  dir?: string | undefined;
}

interface Asset {
  raw: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
  cacheControl: string;
}

/** Paths the console must never answer: the APIs and operations endpoints keep their own 404s. */
export const RESERVED_PREFIXES = ['/v1', '/api', '/docs', '/healthz', '/readyz', '/metrics', '/sdk'] as const;

/** Vite's hashed files never change under one name; index.html is revalidated on every load. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};

/** Chart.js sets canvas sizes through inline styles; everything else comes from this origin. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'";

/** The built console, resolved through the workspace package (built by `npm run build`). */
export function defaultConsoleDir(): string | undefined {
  try {
    return path.join(path.dirname(createRequire(import.meta.url).resolve('@sextant/console/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

export function isReserved(url: string): boolean {
  return RESERVED_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`));
}

/** Every file of the build, read and compressed once (the build is a few hundred KB). */
function loadBuild(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = path.posix.join(sub, name);
      const full = path.join(dir, rel);
      if (statSync(full).isDirectory()) walk(rel);
      else {
        const raw = readFileSync(full);
        const type = TYPES[path.extname(name)] ?? 'application/octet-stream';
        const compressible = /text|json|svg/.test(type) && raw.length > 1024;
        assets.set(`/${rel}`, {
          raw,
          gzip: compressible ? gzipSync(raw, { level: 9 }) : undefined,
          type,
          etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 27)}"`,
          cacheControl: rel.startsWith('assets/') ? IMMUTABLE : REVALIDATE,
        });
      }
    }
  };
  walk('');
  return assets;
}

/**
 * Serves the console (a single-page app) at `/`: its files with caching, and index.html for every other
 * page navigation (Accept: text/html) that is not an API or operations path, so client routes (`/segments`, `/profiles/42`) survive a
 * reload. When the build is missing the console is not served, and the log says how to build it.
 */
export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesOptions> = async (app, options) => {
  const dir = options.dir ?? defaultConsoleDir();
  if (!dir || !existsSync(path.join(dir, 'index.html'))) {
    app.log.info({ dir }, 'console not served: its build is missing (run `npm run build`, or `npm run build -w console`)');
    return;
  }
  const assets = loadBuild(dir);
  const index = assets.get('/index.html')!;
  app.log.info({ dir, files: assets.size }, 'console served at /');

  const send = (request: FastifyRequest, reply: FastifyReply, asset: Asset) => {
    reply.header('cache-control', asset.cacheControl).header('etag', asset.etag).header('x-content-type-options', 'nosniff').type(asset.type);
    if (asset === index) reply.header('content-security-policy', CSP).header('referrer-policy', 'same-origin');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    reply.header('vary', 'accept-encoding');
    if (asset.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(asset.gzip);
    return reply.send(asset.raw);
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const pathname = decodeURIComponent(request.url.split('?')[0] ?? '/');
    if (isReserved(pathname)) return reply.callNotFound();
    const asset = assets.get(pathname);
    if (asset) return send(request, reply, asset);
    // A missing hashed file is a real 404 (a stale tab after a deploy), not the app; and only a browser
    // navigating (Accept: text/html) gets the app for an unknown path: API clients keep their JSON 404.
    if (pathname.startsWith('/assets/') || path.extname(pathname) !== '') return reply.callNotFound();
    if (pathname !== '/' && !String(request.headers.accept ?? '').includes('text/html')) return reply.callNotFound();
    return send(request, reply, index);
  };
  app.get('/', { schema: { hide: true } }, handler);
  app.get('/*', { schema: { hide: true } }, handler);
};
