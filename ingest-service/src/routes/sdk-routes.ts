import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync } from 'fastify';
import { SextantError, errorBody } from '../errors.js';
import { errorSchema } from './tracking-route-schemas.js';

export interface SdkRoutesOptions {
  /** Where the script is served, e.g. `/sdk/sextant.js` (`SEXTANT_SDK_PATH`). */
  scriptPath: string;
  /** The built IIFE; default: `@sextant/sdk-browser`'s `dist/sextant.js`. */
  scriptFile?: string;
}

interface ScriptAsset {
  raw: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * Browsers revalidate hourly (a cheap 304 thanks to the ETag) and may use a stale copy for a day
 * while they do, so a new SDK reaches every storefront within the hour with no CDN and no version in
 * the snippet's URL.
 */
export const SDK_CACHE_CONTROL = 'public, max-age=3600, stale-while-revalidate=86400';

/** The built one-file SDK, resolved through the workspace package (it is built by `npm run build`). */
export function defaultSdkScriptFile(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('@sextant/sdk-browser/sextant.js');
  } catch {
    return undefined;
  }
}

function loadAsset(file: string | undefined): ScriptAsset | undefined {
  if (!file) return undefined;
  try {
    const raw = readFileSync(file);
    return { raw, gzip: gzipSync(raw, { level: 9 }), etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 27)}"` };
  } catch {
    return undefined;
  }
}

/**
 * Serves the browser SDK's one-file script at a stable, cacheable path on the tracking host, so the
 * snippet needs no CDN and a brand can serve it from its own domain under a neutral name. The file is
 * read once (at the first request after it exists), gzip-compressed once, and answered with an ETag.
 */
export const sdkRoutes: FastifyPluginAsync<SdkRoutesOptions> = async (app, options) => {
  const file = options.scriptFile ?? defaultSdkScriptFile();
  let asset = loadAsset(file);

  app.get(
    options.scriptPath,
    {
      schema: {
        tags: ['sdk'],
        summary: 'The browser SDK (one-file IIFE loaded by the snippet)',
        response: {
          200: { type: 'string', description: 'minified JavaScript' },
          304: { type: 'null', description: 'not modified (If-None-Match)' },
          404: errorSchema,
        },
      },
    },
    async (request, reply) => {
      asset ??= loadAsset(file);
      if (!asset) {
        const err = new SextantError('NOT_FOUND', 'the browser SDK is not built: run `npm run build`');
        return reply.code(404).send(errorBody(err));
      }
      reply
        .header('content-type', 'application/javascript; charset=utf-8')
        .header('cache-control', SDK_CACHE_CONTROL)
        .header('etag', asset.etag)
        .header('vary', 'Accept-Encoding')
        .header('x-content-type-options', 'nosniff')
        // Loaded by storefronts on other origins.
        .header('cross-origin-resource-policy', 'cross-origin');
      const match = request.headers['if-none-match'];
      if (match && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === asset!.etag)) return reply.code(304).send();
      if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(asset.gzip);
      return reply.send(asset.raw);
    },
  );
};
