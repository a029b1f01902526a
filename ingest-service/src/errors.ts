/**
 * Every error code the ingest service answers with. The README documents each one (a test checks).
 * `status` is the HTTP status; `retryable` tells clients (and our own retry loops) whether trying
 * again later can succeed.
 */
export const ERROR_CODES = {
  MISSING_WRITE_KEY: { status: 401, retryable: false },
  INVALID_WRITE_KEY: { status: 401, retryable: false },
  INVALID_JSON: { status: 400, retryable: false },
  INVALID_UTF8: { status: 400, retryable: false },
  INVALID_COMPRESSION: { status: 400, retryable: false },
  BAD_REQUEST: { status: 400, retryable: false },
  FORBIDDEN_KEY: { status: 400, retryable: false },
  TOO_DEEP: { status: 400, retryable: false },
  INVALID_EVENT: { status: 400, retryable: false },
  EMPTY_BATCH: { status: 400, retryable: false },
  EVENT_TOO_LARGE: { status: 413, retryable: false },
  BATCH_TOO_LARGE: { status: 413, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false },
  QUEUE_FULL: { status: 503, retryable: true },
  QUEUE_UNAVAILABLE: { status: 503, retryable: true },
  UNAUTHORIZED: { status: 401, retryable: false },
  FORBIDDEN: { status: 403, retryable: false },
  NOT_FOUND: { status: 404, retryable: false },
  VALIDATION_FAILED: { status: 400, retryable: false },
  INTERNAL: { status: 500, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base class of errors that reach a client: a stable code, an HTTP status and whether to retry. */
export class SextantError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number = ERROR_CODES[code].status,
    readonly retryable: boolean = ERROR_CODES[code].retryable,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'SextantError';
  }
}

/** The JSON body of every error answer: `{ error: { code, message, details? } }`. */
export function errorBody(err: SextantError): { success: false; error: { code: string; message: string; details?: unknown } } {
  return {
    success: false,
    error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) },
  };
}
