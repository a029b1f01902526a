/**
 * Every way getting a development Kafka broker can fail, each with a stable code. Messages say what
 * to do next (install a tool, free a port, read the broker's log); the README lists every code.
 */
export const DEV_BROKER_ERROR_CODES = [
  'JAVA_MISSING',
  'MAVEN_MISSING',
  'JAR_FETCH_FAILED',
  'STORAGE_FORMAT_FAILED',
  'ALREADY_RUNNING',
  'BROKER_EXITED',
  'BROKER_NOT_READY',
  'BROKER_CLOSED',
  'NO_TEST_KAFKA',
  'TESTCONTAINERS_UNAVAILABLE',
] as const;

export type DevBrokerErrorCode = (typeof DEV_BROKER_ERROR_CODES)[number];

/** A failure to fetch, start or stop a development broker, or to find any Kafka for tests. */
export class DevBrokerError extends Error {
  constructor(
    readonly code: DevBrokerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DevBrokerError';
  }
}
