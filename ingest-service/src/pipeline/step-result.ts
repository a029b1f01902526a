import type { ErrorCode } from '../errors.js';

/** What a pipeline step decides: carry on with the event, or reject it with a reason. */
export type StepResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string; details?: unknown };

export const ok = <T>(value: T): StepResult<T> => ({ ok: true, value });

export const reject = (code: ErrorCode, message: string, details?: unknown): StepResult<never> => ({
  ok: false,
  code,
  message,
  ...(details === undefined ? {} : { details }),
});
