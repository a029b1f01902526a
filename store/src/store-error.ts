export type StoreErrorCode = 'CLICKHOUSE_UNREACHABLE' | 'DATA_DIR_IN_USE' | 'CHDB_OPEN_FAILED' | 'MIGRATION_FAILED';

/** A storage failure with a stable code the CLI turns into a clear message. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
