import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeConversions } from './conversions.js';
import { FakeCustomAudiences } from './custom-audiences.js';
import { errorEnvelope, GraphErrorResponse, type FakeGraphError } from './graph-error.js';
import { accessToken, parseParams, readBody } from './parse-params.js';
import { FakeWhatsApp, type FakeWhatsAppOptions } from './whatsapp.js';

export interface InjectedError {
  /** Matched against `METHOD /path` without the version prefix, e.g. /^POST \d+\/users$/. */
  match: RegExp;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Let this many matching requests through first (default 0): fail a later batch of a run. */
  skip?: number;
  code: number;
  subcode?: number;
  status?: number;
  message?: string;
  transient?: boolean;
  /** Minutes sent as `estimated_time_to_regain_access` in the BUC header (throttles). */
  regainMinutes?: number;
}

export interface FakeMetaServerOptions {
  /** Valid access tokens (default `['test-token']`). */
  tokens?: string[];
  /** HTTP status for throttling codes (meta.md §0.4, §6): 400 (default) or 429. */
  throttleStatus?: 400 | 429;
  /** Custom Audience BUC quota: calls per window per ad account before 80003 (default unlimited). */
  customAudienceCallsPerWindow?: number;
  customAudienceWindowMs?: number;
  whatsapp?: FakeWhatsAppOptions;
  /** Count every added row key (detects duplicate sends; costs memory). */
  trackAddCounts?: boolean;
}

const THROTTLE_CODES = new Set([4, 17, 32, 341, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80007, 80008, 80009, 80014, 130429]);

/**
 * A local stand-in for graph.facebook.com (meta.md §5): Custom Audiences, the Conversions API and
 * WhatsApp Cloud API sends, with Meta's validation, error envelope, throttling and usage headers.
 * Plain `node:http`; listen on 127.0.0.1:0 in tests.
 */
export class FakeMetaServer {
  readonly customAudiences: FakeCustomAudiences;
  readonly conversions = new FakeConversions();
  readonly whatsapp: FakeWhatsApp;
  readonly tokens: Set<string>;
  private readonly injected: (InjectedError & { left: number })[] = [];
  private server: Server | undefined;
  private window = { start: Date.now(), calls: new Map<string, number>() };
  requestCount = 0;
  errorCount = 0;

  constructor(readonly options: FakeMetaServerOptions = {}) {
    this.tokens = new Set(options.tokens ?? ['test-token']);
    this.customAudiences = new FakeCustomAudiences({ trackAddCounts: options.trackAddCounts ?? true });
    this.whatsapp = new FakeWhatsApp(options.whatsapp);
  }

  /** The next `times` requests matching `match` fail with this error. */
  inject(error: InjectedError): void {
    this.injected.push({ ...error, left: error.times ?? 1, skip: error.skip ?? 0 });
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const { port: p } = this.server.address() as AddressInfo;
    return `http://${host}:${p}`;
  }

  async close(): Promise<void> {
    await this.whatsapp.flushWebhooks();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private usageHeaders(adAccount: string | undefined, throttled: boolean, regainMinutes = 1): Record<string, string> {
    const limit = this.options.customAudienceCallsPerWindow;
    const calls = adAccount ? this.window.calls.get(adAccount) ?? 0 : 0;
    const pct = throttled ? 100 : limit ? Math.min(99, Math.round((100 * calls) / limit)) : 1;
    const headers: Record<string, string> = {
      'x-app-usage': JSON.stringify({ call_count: pct, total_cputime: Math.round(pct / 2), total_time: Math.round(pct / 2) }),
    };
    if (adAccount) {
      headers['x-ad-account-usage'] = JSON.stringify({ acc_id_util_pct: pct, reset_time_duration: throttled ? regainMinutes * 60 : 0, ads_api_access_tier: 'standard_access' });
      headers['x-business-use-case-usage'] = JSON.stringify({
        [adAccount]: [{ type: 'custom_audience', call_count: pct, total_cputime: Math.round(pct / 2), total_time: Math.round(pct / 2), estimated_time_to_regain_access: throttled ? regainMinutes : 0 }],
      });
    }
    return headers;
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(text);
  }

  private fail(res: ServerResponse, e: FakeGraphError, adAccount?: string): void {
    this.errorCount += 1;
    const throttle = THROTTLE_CODES.has(e.code);
    const status = throttle && e.code !== 130429 ? this.options.throttleStatus ?? e.status : e.status;
    this.send(res, status, errorEnvelope(e), { ...this.usageHeaders(adAccount, throttle), ...e.headers });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requestCount += 1;
    let adAccount: string | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://fake');
      const m = /^\/v\d+\.\d+\/(.+?)\/?$/.exec(url.pathname);
      if (!m) throw new GraphErrorResponse({ status: 400, code: 2635, message: 'Unversioned or unknown Graph API path' });
      const route = m[1]!;
      const method = req.method ?? 'GET';
      const body = await readBody(req);
      let params: Record<string, unknown>;
      try {
        params = parseParams(url, req.headers['content-type'], body);
      } catch {
        throw new GraphErrorResponse({ status: 400, code: 100, message: 'Could not parse the request body' });
      }
      const whatsappRoute = /^\d+\/messages$/.test(route);
      const token = accessToken(req, params);
      if (!token) throw new GraphErrorResponse({ status: whatsappRoute ? 401 : 400, code: 104, type: 'OAuthException', message: 'An access token is required to request this resource.' });
      if (!this.tokens.has(token)) {
        throw new GraphErrorResponse({ status: whatsappRoute ? 401 : 400, code: 190, subcode: 467, type: 'OAuthException', message: 'Invalid OAuth access token - Cannot parse access token', whatsapp: whatsappRoute });
      }

      const audienceMatch = /^(\d+)\/(users|usersreplace|sessions)$/.exec(route);
      if (audienceMatch) adAccount = this.customAudiences.audiences.get(audienceMatch[1]!)?.adAccountId;
      const accountMatch = /^act_(\d+)\/customaudiences$/.exec(route);
      if (accountMatch) adAccount = accountMatch[1];

      const key = `${method} ${route}`;
      const inj = this.injected.find((i) => i.left > 0 && i.match.test(key));
      if (inj && (inj.skip ?? 0) > 0) inj.skip! -= 1;
      else if (inj) {
        inj.left -= 1;
        const throttle = THROTTLE_CODES.has(inj.code);
        this.fail(res, {
          status: inj.status ?? (inj.code >= 130000 && inj.code < 140000 && !throttle ? 400 : 400), code: inj.code,
          ...(inj.subcode !== undefined ? { subcode: inj.subcode } : throttle && inj.code >= 80000 ? { subcode: 2446079 } : {}),
          message: inj.message ?? (throttle ? 'User request limit reached' : 'Injected error'),
          whatsapp: whatsappRoute,
          ...(inj.transient !== undefined ? { transient: inj.transient } : {}),
          ...(adAccount && throttle ? { headers: this.usageHeaders(adAccount, true, inj.regainMinutes ?? 0) } : {}),
        }, adAccount);
        return;
      }

      if (adAccount && this.options.customAudienceCallsPerWindow) {
        const now = Date.now();
        if (now - this.window.start > (this.options.customAudienceWindowMs ?? 60_000)) this.window = { start: now, calls: new Map() };
        const calls = (this.window.calls.get(adAccount) ?? 0) + 1;
        this.window.calls.set(adAccount, calls);
        if (calls > this.options.customAudienceCallsPerWindow) {
          throw new GraphErrorResponse({ status: 400, code: 80003, subcode: 2446079, message: 'There have been too many calls to this ad-account. Wait a bit and try again.', headers: this.usageHeaders(adAccount, true, 0) });
        }
      }

      let result: unknown;
      if (accountMatch && method === 'POST') result = this.customAudiences.create(`act_${accountMatch[1]}`, params);
      else if (accountMatch && method === 'GET') result = this.customAudiences.list(`act_${accountMatch[1]}`);
      else if (audienceMatch && audienceMatch[2] === 'users' && (method === 'POST' || method === 'DELETE')) {
        result = this.customAudiences.users(audienceMatch[1]!, method === 'POST' ? 'add' : 'remove', params);
      } else if (audienceMatch && audienceMatch[2] === 'usersreplace' && method === 'POST') result = this.customAudiences.users(audienceMatch[1]!, 'replace', params);
      else if (audienceMatch && audienceMatch[2] === 'sessions' && method === 'GET') {
        result = this.customAudiences.sessions(audienceMatch[1]!, typeof params.session_id === 'string' ? params.session_id : undefined);
      } else if (/^\d+\/events$/.test(route) && method === 'POST') result = this.conversions.receive(route.split('/')[0]!, params);
      else if (whatsappRoute && method === 'POST') result = this.whatsapp.send(route.split('/')[0]!, params);
      else if (/^\d+$/.test(route) && method === 'GET') result = this.customAudiences.get(route);
      else if (/^\d+$/.test(route) && method === 'DELETE') result = this.customAudiences.remove(route);
      else if (/^me$/.test(route) && method === 'GET') result = { id: '1000', name: 'Fake System User' };
      else throw new GraphErrorResponse({ status: 400, code: 100, subcode: 33, message: `Unsupported ${method} request to ${route}` });
      this.send(res, 200, result, this.usageHeaders(adAccount, false));
    } catch (err) {
      if (err instanceof GraphErrorResponse) this.fail(res, err.error, adAccount);
      else this.fail(res, { status: 500, code: 1, message: `An unknown error occurred: ${(err as Error).message}`, transient: true });
    }
  }
}
