import type { DefinitionIssue } from '@sextant/schemas';

/** Error codes of the segment engine's API (documented in the README; a test checks). */
export const ENGINE_ERROR_CODES = {
  INVALID_DEFINITION: { status: 400, retryable: false },
  PROFILE_NOT_FOUND: { status: 404, retryable: false },
  SEGMENT_NOT_FOUND: { status: 404, retryable: false },
  REFRESH_RUNNING: { status: 409, retryable: true },
} as const satisfies Record<string, { status: number; retryable: boolean }>;
export type EngineErrorCode = keyof typeof ENGINE_ERROR_CODES;

export class EngineError extends Error {
  readonly status: number;
  readonly retryable: boolean;
  constructor(readonly code: EngineErrorCode, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'EngineError';
    this.status = ENGINE_ERROR_CODES[code].status;
    this.retryable = ENGINE_ERROR_CODES[code].retryable;
  }
}

/** A definition that cannot be compiled; `issues` name the exact path of each problem. */
export class DefinitionError extends EngineError {
  constructor(readonly issues: DefinitionIssue[]) {
    super('INVALID_DEFINITION', `the definition is not valid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, { issues });
  }
}
