/** A numbered, idempotent DDL change. Applied once, in version order, and recorded in `schema_migrations`. */
export interface Migration {
  version: number;
  name: string;
  /** Each statement must be safe to re-run (`IF NOT EXISTS`): a crash between a statement and its record re-runs it. */
  statements: string[];
}
