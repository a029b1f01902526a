import type { IncomingMessage } from 'node:http';

/** Reads the whole request body (bytes). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function decodeFormValue(v: string): unknown {
  const t = v.trim();
  if (t.startsWith('{') || t.startsWith('[') || t === 'true' || t === 'false') {
    try {
      return JSON.parse(t);
    } catch {
      return v;
    }
  }
  return v;
}

/**
 * Parameters from the query string, a form body (object/array/boolean values JSON-encoded, as
 * Meta's Python SDK sends them) or a JSON body, on any method (meta.md §0.3, §5.2). Body wins.
 */
export function parseParams(url: URL, contentType: string | undefined, body: Buffer): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) params[k] = decodeFormValue(v);
  if (body.length === 0) return params;
  const text = body.toString('utf8');
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(text)) params[k] = decodeFormValue(v);
  } else {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(params, parsed);
  }
  return params;
}

/** An object param that may arrive as an object or a JSON string. */
export function objectParam(v: unknown): Record<string, unknown> | undefined {
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The access token from the query/body `access_token` or an `Authorization: Bearer` header. */
export function accessToken(req: IncomingMessage, params: Record<string, unknown>): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return typeof params.access_token === 'string' ? params.access_token : undefined;
}
