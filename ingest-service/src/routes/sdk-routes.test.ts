import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { SDK_CACHE_CONTROL, defaultSdkScriptFile, sdkRoutes } from './sdk-routes.js';

const SCRIPT = '(function(){window.sextant_test=1})();\n'.repeat(50);

let dir: string;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sextant-sdk-route-'));
  writeFileSync(path.join(dir, 'sextant.js'), SCRIPT);
  app = Fastify();
  await app.register(sdkRoutes, { scriptPath: '/sdk/sextant.js', scriptFile: path.join(dir, 'sextant.js') });
  await app.register(sdkRoutes, { scriptPath: '/assets/app-7f3a.js', scriptFile: path.join(dir, 'sextant.js') });
  await app.register(sdkRoutes, { scriptPath: '/missing.js', scriptFile: path.join(dir, 'not-built.js') });
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET the browser SDK script', () => {
  it.each(['/sdk/sextant.js', '/assets/app-7f3a.js'])('serves the file at %s as cacheable JavaScript', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(SCRIPT);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe(SDK_CACHE_CONTROL);
    expect(res.headers['etag']).toMatch(/^"[\w-]{27}"$/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });

  it('sends it gzip-compressed to browsers that accept gzip', async () => {
    const res = await app.inject({ method: 'GET', url: '/sdk/sextant.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['vary']).toBe('Accept-Encoding');
    expect(res.rawPayload.length).toBeLessThan(SCRIPT.length / 4);
    expect(gunzipSync(res.rawPayload).toString('utf8')).toBe(SCRIPT);
  });

  it.each([
    { name: 'the same ETag', header: (etag: string) => etag, status: 304 },
    { name: 'a weak ETag in a list', header: (etag: string) => `"other", W/${etag}`, status: 304 },
    { name: 'another ETag', header: () => '"stale"', status: 200 },
  ])('answers a revalidation with $name: $status', async ({ header, status }) => {
    const first = await app.inject({ method: 'GET', url: '/sdk/sextant.js' });
    const res = await app.inject({ method: 'GET', url: '/sdk/sextant.js', headers: { 'if-none-match': header(String(first.headers['etag'])) } });
    expect(res.statusCode).toBe(status);
    expect(res.body).toBe(status === 304 ? '' : SCRIPT);
  });

  it('answers HEAD without a body', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/sdk/sextant.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
  });

  it('says how to build the SDK when it is not built', async () => {
    const res = await app.inject({ method: 'GET', url: '/missing.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ success: false, error: { code: 'NOT_FOUND', message: 'the browser SDK is not built: run `npm run build`' } });
  });

  it('finds the built SDK of the workspace by default', () => {
    expect(defaultSdkScriptFile()).toMatch(/sdk-browser[/\\]dist[/\\]sextant\.js$/);
  });
});

describe('configuration of the SDK path and the tracking prefix', () => {
  it.each([
    { env: {}, sdkPath: '/sdk/sextant.js', prefix: undefined },
    { env: { SEXTANT_SDK_PATH: '/assets/app-7f3a.js', SEXTANT_TRACKING_PREFIX: '/px' }, sdkPath: '/assets/app-7f3a.js', prefix: '/px' },
    { env: { SEXTANT_TRACKING_PREFIX: '/a/b-c' }, sdkPath: '/sdk/sextant.js', prefix: '/a/b-c' },
  ])('accepts $env', ({ env, sdkPath, prefix }) => {
    const config = loadConfig(env);
    expect(config.SEXTANT_SDK_PATH).toBe(sdkPath);
    expect(config.SEXTANT_TRACKING_PREFIX).toBe(prefix);
  });

  it.each([
    { env: { SEXTANT_SDK_PATH: 'sdk.js' }, problem: 'SEXTANT_SDK_PATH must be a path ending in .js' },
    { env: { SEXTANT_SDK_PATH: '/sdk/sextant' }, problem: 'SEXTANT_SDK_PATH must be a path ending in .js' },
    { env: { SEXTANT_TRACKING_PREFIX: '/px/' }, problem: 'SEXTANT_TRACKING_PREFIX must be a path such as /px' },
    { env: { SEXTANT_TRACKING_PREFIX: '/v1' }, problem: 'SEXTANT_TRACKING_PREFIX must not start with /v1 or /api' },
  ])('refuses $env', ({ env, problem }) => {
    expect(() => loadConfig(env)).toThrow(problem);
  });
});
