import sjson from 'secure-json-parse';
import { SextantError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Deepest nesting accepted anywhere in a request body (a batch adds two levels). */
export const MAX_BODY_DEPTH = 34;

/**
 * Turns a tracking request body into a plain object: strict UTF-8 (invalid bytes are rejected, not
 * replaced, so nothing is silently altered), JSON without prototype-poisoning keys (`__proto__`,
 * `constructor.prototype`), bounded nesting, and an object at the top.
 */
export function parseTrackingBody(body: Buffer): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new SextantError('INVALID_UTF8', 'the request body is not valid UTF-8');
  }
  if (text.trim() === '') throw new SextantError('INVALID_JSON', 'the request body is empty');
  let value: unknown;
  try {
    // A key can only spell "__proto__" or "constructor" literally or through \u escapes: when the text
    // holds none of those, plain JSON.parse is as safe and skips secure-json-parse's extra scans.
    value = mayHoldPoisonKeys(text)
      ? sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' })
      : JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/prototype/i.test(message)) {
      throw new SextantError('FORBIDDEN_KEY', 'the body contains a forbidden key ("__proto__" or "constructor.prototype")');
    }
    throw new SextantError('INVALID_JSON', `the request body is not valid JSON: ${message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SextantError('INVALID_JSON', 'the request body must be a JSON object');
  }
  if (depthExceeds(value, MAX_BODY_DEPTH)) {
    throw new SextantError('TOO_DEEP', `the body is nested deeper than ${MAX_BODY_DEPTH} levels`);
  }
  return value as Record<string, unknown>;
}

function mayHoldPoisonKeys(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
}

/** Iterative, so a hostile body cannot overflow the stack. */
function depthExceeds(root: object, max: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    if (node !== null && typeof node === 'object') {
      for (const child of Object.values(node)) {
        if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
      }
    }
  }
  return false;
}
