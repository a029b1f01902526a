/**
 * The result every validator of the tracking contracts returns, and the translation of ajv's errors
 * into it: a JSON Pointer to the offending value and a sentence saying what is wrong with it.
 */
import type { ErrorObject } from 'ajv';
import { MESSAGE_TYPES } from './message-type.js';

export interface ValidationError {
  /** JSON Pointer into the validated value, e.g. `/properties/revenue`; '' is the value itself. */
  path: string;
  message: string;
}

export type ValidationResult = { ok: true } | { ok: false; errors: ValidationError[] };

export const VALID: ValidationResult = Object.freeze({ ok: true });

export function invalid(errors: ValidationError[]): ValidationResult {
  return { ok: false, errors };
}

/** Quotes a value for a message the way ajv does (`'userId'`). */
export function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** Escapes one JSON Pointer reference token (RFC 6901). */
export function pointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Converts ajv errors to `ValidationError`s, prefixing each path with `pathPrefix`.
 * - a missing required property points at the property (`/event`), not at its parent;
 * - an `anyOf` failure is reported once (the errors of its branches are folded into it);
 * - an unknown batch element `type` points at `/type`.
 */
export function toValidationErrors(
  errors: readonly ErrorObject[] | null | undefined,
  pathPrefix = '',
): ValidationError[] {
  if (!errors) return [];
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  const result: ValidationError[] = [];
  for (const error of errors) {
    if (anyOfPaths.some((p) => error.schemaPath.startsWith(p))) continue;
    result.push(toValidationError(error, errors, pathPrefix));
  }
  return result;
}

function toValidationError(
  error: ErrorObject,
  all: readonly ErrorObject[],
  pathPrefix: string,
): ValidationError {
  const path = pathPrefix + error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        path: `${path}/${pointerToken(String(params.missingProperty))}`,
        message: error.message ?? 'is required',
      };
    case 'discriminator':
      return {
        path: `${path}/${pointerToken(String(params.tag))}`,
        message: `must be one of ${MESSAGE_TYPES.map(quote).join(', ')}`,
      };
    case 'const':
      return { path, message: `must be ${quote(params.allowedValue)}` };
    case 'enum':
      return { path, message: `must be one of ${(params.allowedValues as unknown[]).map(quote).join(', ')}` };
    case 'anyOf':
      return { path, message: anyOfMessage(error, all) };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** For an anyOf whose branches each require a property ("userId or anonymousId"), name them. */
function anyOfMessage(anyOf: ErrorObject, all: readonly ErrorObject[]): string {
  const branchPrefix = `${anyOf.schemaPath}/`;
  const names = new Set<string>();
  for (const e of all) {
    if (!e.schemaPath.startsWith(branchPrefix)) continue;
    if (e.keyword === 'required') {
      names.add(String((e.params as Record<string, unknown>).missingProperty));
      continue;
    }
    const token = e.instancePath.slice(anyOf.instancePath.length).split('/')[1];
    if (token === undefined) return anyOf.message ?? 'must match a schema in anyOf';
    names.add(token);
  }
  if (names.size === 0) return anyOf.message ?? 'must match a schema in anyOf';
  return `must have a non-empty ${[...names].map(quote).join(' or ')}`;
}
