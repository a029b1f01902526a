import type { LoggerOptions } from 'pino';

/** Secrets never reach the logs: auth headers, write keys, tokens, passwords. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'writeKey',
  '*.writeKey',
  'token',
  '*.token',
  'password',
  '*.password',
  'jwtSecret',
  '*.jwtSecret',
  'SEXTANT_JWT_SECRET',
  '*.SEXTANT_JWT_SECRET',
  'CLICKHOUSE_URL',
  '*.CLICKHOUSE_URL',
];

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
}
