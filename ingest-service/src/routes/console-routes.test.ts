import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes } from './console-routes.js';

describe('console routes', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sextant-console-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
    app = Fastify();
    app.get('/api/events', async () => ({ events: [] }));
    app.get('/healthz', async () => ({ ok: true }));
    await app.register(consoleRoutes, { dir });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/', '/segments', '/profiles/cust_1', '/funnels?x=1'])('answers the client route %s with index.html, revalidated', async (url) => {
    const res = await app.inject({ url, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.body).toContain('<title>console</title>');
  });

  it('serves hashed assets for a year, gzipped, and 304 on a matching ETag', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.headers['content-encoding']).toBe('gzip');
    const again = await app.inject({ url: '/assets/index-abc123.js', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it.each(['/api/nope', '/v1/nope', '/docs', '/sdk/other.js', '/metrics/x', '/assets/gone-123.js', '/favicon.ico'])('does not shadow %s: a plain 404', async (url) => {
    const res = await app.inject({ url, headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).not.toContain('text/html');
  });

  it('answers an unknown path with a 404, not the app, when the client does not ask for HTML', async () => {
    expect((await app.inject({ url: '/v2/nothing', headers: { accept: 'application/json' } })).statusCode).toBe(404);
  });

  it('leaves the routes of other plugins alone', async () => {
    expect((await app.inject({ url: '/api/events' })).json()).toEqual({ events: [] });
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ ok: true });
  });

  it('is not served, and says so, when the build is missing', async () => {
    const lines: string[] = [];
    const bare = Fastify({ logger: { level: 'info', stream: { write: (l: string) => lines.push(l) } } });
    await bare.register(consoleRoutes, { dir: path.join(dir, 'missing') });
    expect((await bare.inject({ url: '/' })).statusCode).toBe(404);
    expect(lines.join('')).toContain('console not served');
    await bare.close();
  });
});
