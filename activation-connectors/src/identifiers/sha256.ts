import { createHash } from 'node:crypto';

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** True when `value` already is a SHA-256 hex digest (64 hex chars); such values are never hashed twice. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** Lowercase hex SHA-256 of the UTF-8 string (meta.md §1.4). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
