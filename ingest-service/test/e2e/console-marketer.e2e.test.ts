import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHttpDemo } from '@sextant/storefront-simulator';
import { signAdminToken } from '../../src/auth/admin-token.js';
import { startInProcessServer, TEST_JWT_SECRET, TEST_WRITE_KEY, type InProcessServer } from '../fixtures/in-process-server.js';
// The fake Graph API is a test fixture of activation-connectors, not part of its public entry.
import { FakeMetaServer } from '../../../activation-connectors/src/fake-meta-server/fake-meta-server.js';
import { CHROMIUM_MISSING, chromiumInstalled, launchChromium, type Chromium } from './fixtures/chromium.js';

/**
 * The console as a marketer uses it: real headless Chromium against the all-in-one server (which
 * serves the console's Vite build at `/`), loaded with 30 days of the storefront simulator sent
 * through the tracking API. Screenshots land in test-artifacts/console/.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'console');
const describeInChromium = chromiumInstalled || process.env.CI ? describe : describe.skip;

const FACEBOOK_NO_PURCHASE = {
  type: 'and',
  conditions: [
    { type: 'computed', trait: 'first_touch_source', op: 'eq', value: 'facebook' },
    { type: 'event', event: 'Order Completed', did: false, within_days: 7 },
  ],
};

describeInChromium('the console in headless Chromium against the all-in-one server', () => {
  let server: InProcessServer;
  let url = '';
  let browser: Chromium;
  let marketerToken = '';
  let page: Page;
  let fakeMeta: FakeMetaServer;
  let graphUrl = '';
  const pageErrors: string[] = [];

  async function api<T>(method: string, route: string, body?: unknown): Promise<T> {
    const res = await fetch(url + route, { method, headers: { authorization: `Bearer ${marketerToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? null : JSON.stringify(body) });
    const text = await res.text();
    expect(res.status, `${method} ${route}: ${text}`).toBeLessThan(300);
    return JSON.parse(text) as T;
  }

  async function signIn(token: string): Promise<void> {
    await page.goto(`${url}/`);
    await page.getByLabel('Admin API token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  beforeAll(async () => {
    if (!chromiumInstalled) throw new Error(CHROMIUM_MISSING);
    if (!existsSync(path.join(ROOT, 'console', 'dist', 'index.html'))) execFileSync('npm', ['run', 'build', '-w', 'console'], { cwd: ROOT, stdio: 'ignore' });
    mkdirSync(ARTIFACTS, { recursive: true });
    fakeMeta = new FakeMetaServer();
    [server, browser, graphUrl] = await Promise.all([startInProcessServer({ SEXTANT_SECRET_KEY: 'console-test-secret-key-of-32-characters-or-more' }), launchChromium(), fakeMeta.listen()]);
    url = await server.server.app.listen({ port: 0, host: '127.0.0.1' });
    marketerToken = await signAdminToken(TEST_JWT_SECRET, { subject: 'marketer@shop', role: 'marketer' });
    await runHttpDemo({ seed: 42, shoppers: 400, days: 30, endMs: Date.now(), host: url, writeKey: TEST_WRITE_KEY, sideDataStore: server.server.store!, sourceId: server.server.devSource!.id });
    await server.server.flush();
    await api('POST', '/api/engine/refresh', {});
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1366, height: 900 });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await fakeMeta?.close();
  });

  it('serves the console at / without shadowing the API', async () => {
    const index = await fetch(`${url}/segments/new`, { headers: { accept: 'text/html' } });
    expect(index.headers.get('content-type')).toContain('text/html');
    expect((await fetch(`${url}/api/nope`)).status).toBe(404);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('a marketer builds "came from a Facebook ad and no purchase in 7 days", sees the API\'s count, and saves it', async () => {
    await signIn(marketerToken);
    await expect(page.getByTestId('user-role').textContent()).resolves.toContain('marketer');
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('button', { name: 'New segment' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Facebook, no purchase in 7 days');

    await page.getByRole('button', { name: '+ Computed trait' }).click();
    const trait = page.getByTestId('computed-condition');
    await trait.getByLabel('Computed trait', { exact: true }).selectOption('first_touch_source');
    await trait.getByLabel('Operator', { exact: true }).selectOption('eq');
    await trait.getByLabel('Value', { exact: true }).fill('facebook');

    await page.getByRole('button', { name: '+ Event' }).click();
    const event = page.getByTestId('event-condition');
    await event.getByLabel('Person', { exact: true }).selectOption('did_not');
    await event.getByLabel('Event', { exact: true }).fill('Order Completed');
    await event.getByLabel('In the last (days)', { exact: true }).fill('7');

    const expected = await api<{ count: number }>('POST', '/api/segments/preview', { definition: FACEBOOK_NO_PURCHASE, sample: 1 });
    expect(expected.count, 'the simulated shop has Facebook shoppers who did not buy this week').toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('preview-count').textContent().catch(() => null), { timeout: 10_000 }).toBe(String(expected.count));
    await page.getByRole('button', { name: 'Show the definition as JSON' }).click();
    expect(JSON.parse((await page.getByTestId('definition-json').textContent()) ?? 'null')).toEqual(FACEBOOK_NO_PURCHASE);
    await page.screenshot({ path: path.join(ARTIFACTS, 'segment-builder.png'), fullPage: true });

    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByTestId('saved').waitFor();
    const { segments } = await api<{ segments: { id: string; name: string; definition: unknown }[] }>('GET', '/api/segments');
    const saved = segments.find((s) => s.name === 'Facebook, no purchase in 7 days');
    expect(saved?.definition).toEqual(FACEBOOK_NO_PURCHASE);
    expect(new URL(page.url()).pathname).toBe(`/segments/${saved!.id}`);

    // A reload of a client route comes back to the same segment (index.html fallback, token kept in the tab).
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Facebook, no purchase in 7 days');
  });

  it('connects the fake Facebook destination to the segment, runs a sync and shows the run with its counts', async () => {
    const { segments } = await api<{ segments: { id: string; name: string }[] }>('GET', '/api/segments');
    const segment = segments.find((s) => s.name === 'Facebook, no purchase in 7 days')!;
    await api('POST', `/api/segments/${segment.id}/refresh`, {});
    await page.getByRole('link', { name: 'Audiences' }).click();
    await page.getByRole('button', { name: 'New audience' }).click();
    const form = page.getByRole('form', { name: 'New audience' });
    await form.getByLabel('Name', { exact: true }).fill('Facebook retargeting');
    await form.getByLabel('Segment', { exact: true }).selectOption(segment.id);
    await form.getByLabel('Destination', { exact: true }).selectOption('facebook-custom-audience');
    await form.getByLabel('Settings (JSON)', { exact: true }).fill(JSON.stringify({ adAccountId: 'act_42', accessToken: 'test-token', audienceName: 'Facebook, no purchase in 7 days', baseUrl: graphUrl }));
    await form.getByRole('button', { name: 'Create audience' }).click();
    const audience = page.getByTestId('audience');
    await audience.waitFor();
    expect(await audience.textContent()).toContain('accessToken=[redacted]');
    await audience.getByRole('button', { name: 'Run now' }).click();
    const run = page.getByTestId('audience-runs').locator('tbody tr').first();
    await run.waitFor({ timeout: 20_000 });
    const cells = await run.locator('td').allTextContents();
    expect(cells[1]).toBe('succeeded');
    const [apiRun] = await api<{ added: number; skippedConsent: number; skipped: number }[]>('GET', `/api/audiences/${(await api<{ id: string }[]>('GET', '/api/audiences'))[0]!.id}/runs`);
    expect(cells.slice(3, 8).map(Number)).toEqual([apiRun!.added, expect.any(Number), expect.any(Number), apiRun!.skippedConsent, apiRun!.skipped]);
    expect(apiRun!.added + apiRun!.skippedConsent + apiRun!.skipped, 'every member was sent or counted as skipped').toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'audience-run.png'), fullPage: true });
  });

  it('the funnel page renders a chart for a 4-step funnel, broken down by channel', async () => {
    await page.getByRole('link', { name: 'Funnels' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Funnel steps' }).getByRole('listitem').count()).toBe(4);
    await page.getByRole('button', { name: 'Run funnel' }).click();
    const chart = page.getByTestId('funnel-chart').locator('canvas');
    await chart.waitFor({ timeout: 15_000 });
    const painted = await chart.evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let coloured = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) coloured++;
      return coloured;
    });
    expect(painted, 'the chart drew bars').toBeGreaterThan(1000);
    await expect.poll(() => page.getByTestId('funnel-table').locator('tbody tr').count()).toBe(4);
    await expect.poll(() => page.getByRole('button', { name: 'Save as segment' }).count()).toBe(3);
    await page.screenshot({ path: path.join(ARTIFACTS, 'funnel.png'), fullPage: true });
  });

  it('overview, attribution, live events and profile pages render their data', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('kpi-cards').waitFor();
    await page.getByTestId('kpi-chart').locator('canvas').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'overview.png'), fullPage: true });

    await page.getByRole('link', { name: 'Attribution' }).click();
    await page.getByTestId('attribution-table').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('attribution-table').locator('thead th').allTextContents()).toEqual(expect.arrayContaining(['first touch', 'last touch', 'markov']));
    await page.screenshot({ path: path.join(ARTIFACTS, 'attribution.png'), fullPage: true });

    await page.getByRole('link', { name: 'Live events' }).click();
    await page.getByLabel('Event name', { exact: true }).fill('Order Completed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(async () => (await page.getByTestId('events-table').locator('tbody tr td:nth-child(2)').allTextContents()).every((t) => t.startsWith('Order Completed'))).toBe(true);
    await page.getByTestId('events-table').locator('tbody tr td:nth-child(3) a').first().click();
    await page.getByTestId('profile').waitFor();
    expect(await page.getByTestId('profile').textContent()).toContain('Order Completed');
    await page.screenshot({ path: path.join(ARTIFACTS, 'profile.png'), fullPage: true });

    await page.getByRole('link', { name: 'Settings' }).click();
    await expect.poll(() => page.getByTestId('write-key').first().textContent().catch(() => null)).toBe(TEST_WRITE_KEY);
    await page.getByText('Storefront snippet').first().click();
    expect(await page.locator('pre.json').first().textContent()).toContain(`sextant.load("${TEST_WRITE_KEY}")`);
    await page.getByRole('heading', { name: 'Alert rules' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'settings.png'), fullPage: true });
  });

  it('a viewer sees segments but no edit buttons', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(server.viewerToken);
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByTestId('segments-table').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'New segment' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Facebook, no purchase in 7 days' }).click();
    await page.getByRole('heading', { name: 'Facebook, no purchase in 7 days' }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: /Save|Delete|\+ / }).count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'viewer-segment.png'), fullPage: true });
    expect(pageErrors, 'nothing thrown in the console').toEqual([]);
  });
});
