/** The admin API over fetch: bearer token, JSON in and out, `{ error: { code, message, details } }` as ApiError. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Api {
  get<T>(path: string, query?: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
}

export function createApi(token: string, onUnauthorized: () => void): Api {
  async function request<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: signal ?? null });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Is Sextant running?');
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      if (res.status === 401) onUnauthorized();
      throw new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? `${method} ${path} failed with ${res.status}`, error?.details);
    }
    return json as T;
  }
  return {
    get: (path, query, signal) => {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
      const q = qs.toString();
      return request('GET', q ? `${path}?${q}` : path, undefined, signal);
    },
    post: (path, body, signal) => request('POST', path, body ?? {}, signal),
    put: (path, body) => request('PUT', path, body),
    del: (path) => request('DELETE', path, undefined),
  };
}

/** A message for the user, with the API's issue list when it has one. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const issues = (err.details as { issues?: { path: string; message: string }[] } | undefined)?.issues;
    const list = issues?.length ? ` (${issues.map((i) => `${i.path}: ${i.message}`).join('; ')})` : '';
    return `${err.message}${list}`;
  }
  return err instanceof Error ? err.message : String(err);
}
