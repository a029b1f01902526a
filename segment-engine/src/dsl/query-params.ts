/** Collects bound parameters while SQL is printed: every value becomes `{pN:Type}`, never text. */
export class QueryParams {
  readonly values: Record<string, unknown> = {};
  private next = 0;

  add(value: unknown, type: string): string {
    const name = `p${this.next++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }

  /** A named parameter (the same value used several times, e.g. `now`). */
  named(name: string, value: unknown, type: string): string {
    this.values[name] = value;
    return `{${name}:${type}}`;
  }
}

/** A JS date or ISO text as ClickHouse DateTime64(3) text in UTC. */
export function toClickHouseTime(value: Date | string): string {
  const d = typeof value === 'string' ? new Date(/Z$|[+-]\d\d:?\d\d$/.test(value) || value.length <= 10 ? value : `${value.replace(' ', 'T')}Z`) : value;
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
