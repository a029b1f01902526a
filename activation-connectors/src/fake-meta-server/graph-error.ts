import { randomBytes } from 'node:crypto';

/** A Graph API error (meta.md §0.4) the fake server answers with. */
export interface FakeGraphError {
  status: number;
  code: number;
  subcode?: number;
  message: string;
  type?: string;
  transient?: boolean;
  userTitle?: string;
  whatsapp?: boolean;
  headers?: Record<string, string>;
}

export class GraphErrorResponse extends Error {
  constructor(readonly error: FakeGraphError) {
    super(error.message);
  }
}

export const fbtraceId = (): string => randomBytes(8).toString('base64url');

/** The §0.4 envelope. WhatsApp errors add `error_data` and a `(#code)` message prefix. */
export function errorEnvelope(e: FakeGraphError): { error: Record<string, unknown> } {
  const type = e.type ?? (e.code === 190 || e.code === 102 || e.code === 104 || e.code === 0 ? 'OAuthException' : 'GraphMethodException');
  return {
    error: {
      message: e.whatsapp ? `(#${e.code}) ${e.message}` : e.message,
      type,
      code: e.code,
      ...(e.subcode !== undefined ? { error_subcode: e.subcode } : {}),
      error_user_title: e.userTitle ?? e.message,
      error_user_msg: e.message,
      ...(e.transient !== undefined ? { is_transient: e.transient } : {}),
      ...(e.whatsapp ? { error_data: { messaging_product: 'whatsapp', details: e.message } } : {}),
      fbtrace_id: fbtraceId(),
    },
  };
}

export const invalidParam = (message: string, subcode?: number): GraphErrorResponse =>
  new GraphErrorResponse({ status: 400, code: 100, ...(subcode !== undefined ? { subcode } : {}), message });
