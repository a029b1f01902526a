import { randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { formatClickHouseDateTime64 } from '@sextant/schemas';

/** A storefront sending events, with its own write key. */
export interface Source {
  id: string;
  name: string;
  writeKey: string;
  createdAt: string;
}

const REFRESH_ON_MISS_MS = 1000;

/**
 * Sources live in ClickHouse; this keeps them in memory for the hot path. An unknown key triggers a
 * reload (at most once a second), so a source created by another process is found without restarts.
 */
export class SourceRegistry {
  private byKey = new Map<string, Source>();
  private lastLoad = 0;

  constructor(private readonly client: ClickHouseClient) {}

  async load(): Promise<void> {
    const rs = await this.client.query({
      query: `SELECT id, name, write_key AS writeKey, toString(created_at) AS createdAt FROM sources ORDER BY created_at`,
      format: 'JSONEachRow',
    });
    const next = new Map<string, Source>();
    for (const s of await rs.json<Source>()) next.set(s.writeKey, s);
    this.byKey = next;
    this.lastLoad = Date.now();
  }

  /** The source for a write key, or undefined. */
  async byWriteKey(writeKey: string): Promise<Source | undefined> {
    const hit = this.byKey.get(writeKey);
    if (hit) return hit;
    if (Date.now() - this.lastLoad < REFRESH_ON_MISS_MS) return undefined;
    await this.load();
    return this.byKey.get(writeKey);
  }

  list(): Source[] {
    return [...this.byKey.values()];
  }

  /** Creates a source; the write key is generated unless given (the dev key from the environment). */
  async create(name: string, options: { id?: string; writeKey?: string } = {}): Promise<Source> {
    const now = Date.now();
    const source: Source = {
      id: options.id ?? `src_${randomBytes(8).toString('hex')}`,
      name,
      writeKey: options.writeKey ?? `wk_${randomBytes(24).toString('base64url')}`,
      createdAt: formatClickHouseDateTime64(now),
    };
    await this.client.insert({
      table: 'sources',
      values: [{ id: source.id, name: source.name, write_key: source.writeKey, created_at: source.createdAt }],
      format: 'JSONEachRow',
    });
    this.byKey.set(source.writeKey, source);
    return source;
  }

  /**
   * The development source: the one with `SEXTANT_WRITE_KEY` when set, else the one made on an
   * earlier start, else a new one with a generated key.
   */
  async ensureDevSource(writeKey: string | undefined): Promise<{ source: Source; created: boolean }> {
    if (writeKey) {
      const existing = this.byKey.get(writeKey);
      if (existing) return { source: existing, created: false };
      return { source: await this.create('Development', { writeKey }), created: true };
    }
    const dev = this.list().find((s) => s.id === 'src_dev');
    if (dev) return { source: dev, created: false };
    return { source: await this.create('Development', { id: 'src_dev' }), created: true };
  }
}
