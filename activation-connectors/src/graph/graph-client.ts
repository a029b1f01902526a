import { createHmac } from 'node:crypto';
import { classifyGraphError, ConnectorError, type GraphErrorBody } from '../errors.js';

export interface GraphClientOptions {
  accessToken: string;
  /** `https://graph.facebook.com` by default; the fake server's URL in tests and the demo. */
  baseUrl?: string;
  /** `v25.0` by default (meta.md §0.1). */
  version?: string;
  /** When set, every call carries `appsecret_proof` (§0.2). */
  appSecret?: string;
  timeoutMs?: number;
  /** Retries of a retryable failure before giving up (default 8). */
  maxRetries?: number;
  /** First backoff step (default 1 s); doubles with full jitter. */
  baseDelayMs?: number;
  /** Cap for any one wait, including `estimated_time_to_regain_access` (default 15 min). */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; delayMs: number; error: ConnectorError }) => void;
  /** Retry policy per Graph code: 131056 (pair limit) waits 4^X s (meta.md §3.4). */
  fetchImpl?: typeof fetch;
}

export interface GraphCallStats {
  calls: number;
  retries: number;
  throttled: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The one way connectors call Meta: JSON bodies on POST and DELETE (Segment's encoding, §0.3), the
 * token as a Bearer header (never in a URL, so never in a log line), retries with backoff honouring
 * `estimated_time_to_regain_access`, and failures classified into {@link ConnectorError}.
 */
export class GraphClient {
  readonly stats: GraphCallStats = { calls: 0, retries: 0, throttled: 0 };
  private readonly o: Required<Omit<GraphClientOptions, 'appSecret' | 'onRetry'>> & Pick<GraphClientOptions, 'appSecret' | 'onRetry'>;

  constructor(options: GraphClientOptions) {
    this.o = {
      baseUrl: 'https://graph.facebook.com', version: 'v25.0', timeoutMs: 30_000, maxRetries: 8, baseDelayMs: 1000, maxDelayMs: 15 * 60_000,
      sleep: defaultSleep, fetchImpl: fetch, ...options,
    };
  }

  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, params: Record<string, unknown> = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, params);
      } catch (err) {
        const error = err instanceof ConnectorError ? err : new ConnectorError('META_NETWORK', `Meta API unreachable: ${(err as Error).message}`);
        const pair = error.details.graphCode === 131056;
        if ((!error.retryable && !pair) || attempt >= this.o.maxRetries) throw error;
        if (error.code === 'META_THROTTLED') this.stats.throttled += 1;
        const exp = pair ? 1000 * 4 ** attempt : this.o.baseDelayMs * 2 ** attempt;
        const delayMs = Math.min(this.o.maxDelayMs, error.details.retryAfterMs ?? Math.round(exp / 2 + Math.random() * (exp / 2)));
        this.stats.retries += 1;
        this.o.onRetry?.({ attempt: attempt + 1, delayMs, error });
        await this.o.sleep(delayMs);
      }
    }
  }

  private async once<T>(method: string, path: string, params: Record<string, unknown>): Promise<T> {
    this.stats.calls += 1;
    const url = new URL(`${this.o.baseUrl.replace(/\/$/, '')}/${this.o.version}/${path}`);
    const body = { ...params };
    if (this.o.appSecret) body.appsecret_proof = createHmac('sha256', this.o.appSecret).update(this.o.accessToken).digest('hex');
    if (method === 'GET') for (const [k, v] of Object.entries(body)) url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    const res = await this.o.fetchImpl(url, {
      method,
      headers: { authorization: `Bearer ${this.o.accessToken}`, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
      ...(method === 'GET' ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.o.timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok || (json as GraphErrorBody | undefined)?.error) throw classifyGraphError(res.status, json as GraphErrorBody, res.headers);
    return json as T;
  }
}
