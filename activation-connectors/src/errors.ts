/**
 * How a remote failure is handled (STYLE.md §6): `retryable` (back off and retry: throttles, 5xx,
 * timeouts), `auth` (stop the run and ask for re-authorisation or configuration; never retried) or
 * `payload` (drop that row/member, keep the batch). The scheduler reads only `kind`.
 */
export type ConnectorErrorKind = 'retryable' | 'auth' | 'payload';

export const CONNECTOR_ERROR_CODES = {
  META_THROTTLED: 'retryable',
  META_TRANSIENT: 'retryable',
  META_NETWORK: 'retryable',
  META_AUTH: 'auth',
  META_MISCONFIGURED: 'auth',
  META_INVALID_REQUEST: 'payload',
  META_RECIPIENT: 'payload',
  INVALID_SETTINGS: 'auth',
} as const satisfies Record<string, ConnectorErrorKind>;
export type ConnectorErrorCode = keyof typeof CONNECTOR_ERROR_CODES;

export class ConnectorError extends Error {
  readonly kind: ConnectorErrorKind;
  constructor(
    readonly code: ConnectorErrorCode,
    message: string,
    readonly details: { graphCode?: number; subcode?: number; status?: number; retryAfterMs?: number; fbtraceId?: string } = {},
  ) {
    super(message);
    this.name = 'ConnectorError';
    this.kind = CONNECTOR_ERROR_CODES[code];
  }
  /** What a batch did before it stopped (so sent members are recorded even when a batch fails). */
  partial?: unknown;
  get retryable(): boolean {
    return this.kind === 'retryable';
  }
}

/** Graph codes worth retrying with backoff (meta.md §0.6, §1.7, §2.7, §3.10). */
const RETRY_CODES = new Set([1, 2, 4, 17, 32, 341, 613, 803, 21009, 80007, 130429, 131000, 131016, 131057, 133004]);
/** Codes meaning the token, permissions or destination are wrong: stop and report. */
const AUTH_CODES = new Set([0, 3, 10, 102, 104, 190, 294, 368, 2635, 2663, 2664, 2655, 131005, 131031, 131042, 131045, 131048, 132001, 132015, 132016, 133010]);
const AUTH_SUBCODES = new Set([1487301, 1487366, 1713230, 1870090]);
/** Codes that concern one recipient/row: record and go on. */
const RECIPIENT_CODES = new Set([130472, 131021, 131026, 131047, 131049, 131050, 131056]);

export interface GraphErrorBody {
  error?: { message?: string; type?: string; code?: number; error_subcode?: number; is_transient?: boolean; fbtrace_id?: string; error_user_msg?: string };
}

/** Minutes in `estimated_time_to_regain_access` of the BUC/ad-account usage headers, as ms. */
export function regainAccessMs(headers: Headers): number | undefined {
  const raw = headers.get('x-business-use-case-usage');
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Record<string, { estimated_time_to_regain_access?: number }[]>;
    let max: number | undefined;
    for (const list of Object.values(parsed)) for (const u of list) {
      if (typeof u.estimated_time_to_regain_access === 'number') max = Math.max(max ?? 0, u.estimated_time_to_regain_access);
    }
    return max === undefined ? undefined : max * 60_000;
  } catch {
    return undefined;
  }
}

/** Classifies on `error.code`/`error_subcode` (never on HTTP status alone), then the status. */
export function classifyGraphError(status: number, body: GraphErrorBody | undefined, headers: Headers): ConnectorError {
  const e = body?.error;
  const code = e?.code;
  const subcode = e?.error_subcode;
  const base = { status, ...(code !== undefined ? { graphCode: code } : {}), ...(subcode !== undefined ? { subcode } : {}), ...(e?.fbtrace_id ? { fbtraceId: e.fbtrace_id } : {}) };
  const text = `Meta API ${status}${code !== undefined ? ` code ${code}${subcode !== undefined ? `/${subcode}` : ''}` : ''}: ${e?.message ?? 'no error body'}`;
  if (code === undefined) {
    if (status >= 500 || status === 429) return new ConnectorError('META_TRANSIENT', text, base);
    if (status === 401 || status === 403) return new ConnectorError('META_AUTH', text, base);
    return new ConnectorError('META_INVALID_REQUEST', text, base);
  }
  if (code === 190 || code === 102 || code === 104 || code === 0) {
    return new ConnectorError('META_AUTH', `The access token was rejected (${text}). Re-authorise the destination with a valid token.`, base);
  }
  if ((subcode !== undefined && AUTH_SUBCODES.has(subcode)) || AUTH_CODES.has(code) || (code >= 200 && code <= 299)) {
    return new ConnectorError('META_MISCONFIGURED', `The destination is misconfigured or lacks permission (${text}).`, base);
  }
  if ((code >= 80000 && code <= 80014) || RETRY_CODES.has(code)) {
    const regain = regainAccessMs(headers);
    return new ConnectorError('META_THROTTLED', text, { ...base, ...(regain !== undefined && regain > 0 ? { retryAfterMs: regain } : {}) });
  }
  if (e?.is_transient) return new ConnectorError('META_TRANSIENT', text, base);
  if (RECIPIENT_CODES.has(code)) return new ConnectorError('META_RECIPIENT', text, base);
  if (status >= 500) return new ConnectorError('META_TRANSIENT', text, base);
  return new ConnectorError('META_INVALID_REQUEST', text, base);
}
