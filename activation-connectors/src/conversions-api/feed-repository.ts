import { randomUUID } from 'node:crypto';
import type { StateClient } from '../audiences/clickhouse-audience-state-store.js';
import { validateCron } from '../audiences/audience-scheduler.js';
import { validateConfig } from '../connector.js';
import { openSettings, redactSettings, sealSettings, type SecretBox, type StoredSettings } from '../secrets/secret-box.js';
import { conversionsFeedInputSchema, conversionsFeedPatchSchema, type ConversionsFeedInput } from './feed-input.js';
import { conversionsApi, type ConversionsApiSettings } from './index.js';

export interface StoredConversionsFeed extends Omit<ConversionsFeedInput, 'settings'> {
  id: string;
  stored: StoredSettings;
  createdAt: string;
  updatedAt: string;
}

export class ConversionsFeedInputError extends Error {
  readonly code = 'INVALID_CONVERSION_FEED';
}

const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) => e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
const chTime = (iso: string) => iso.replace('T', ' ').replace('Z', '');

/** Conversions API feeds in `conversion_feeds` (migration 21); the access token sealed like audience destinations'. */
export class ConversionsFeedRepository {
  constructor(private readonly client: StateClient, private readonly box: SecretBox | undefined) {}

  build(input: unknown): StoredConversionsFeed {
    const parsed = conversionsFeedInputSchema.safeParse(input);
    if (!parsed.success) throw new ConversionsFeedInputError(issues(parsed.error));
    if (!this.box) throw new ConversionsFeedInputError('SEXTANT_SECRET_KEY is not set: the access token cannot be stored encrypted');
    const { settings: raw, ...rest } = parsed.data;
    const id = randomUUID();
    let settings: ConversionsApiSettings;
    try {
      settings = validateConfig(conversionsApi, raw);
      validateCron(rest.cron, rest.timezone);
    } catch (err) {
      throw new ConversionsFeedInputError((err as Error).message);
    }
    const now = new Date().toISOString();
    return { ...rest, id, stored: sealSettings(conversionsApi, settings as unknown as Record<string, unknown>, this.box, `capi:${id}`), createdAt: now, updatedAt: now };
  }

  /** Applies a PATCH (enable/disable, schedule); the settings and token stay as sealed. */
  patch(feed: StoredConversionsFeed, input: unknown): StoredConversionsFeed {
    const parsed = conversionsFeedPatchSchema.safeParse(input);
    if (!parsed.success) throw new ConversionsFeedInputError(issues(parsed.error));
    const next = { ...feed, ...parsed.data, updatedAt: new Date().toISOString() };
    try {
      validateCron(next.cron, next.timezone);
    } catch (err) {
      throw new ConversionsFeedInputError((err as Error).message);
    }
    return next;
  }

  async save(feed: StoredConversionsFeed, deleted = false): Promise<void> {
    const { id, name, createdAt, updatedAt, ...rest } = feed;
    await this.client.insert({ table: 'conversion_feeds', format: 'JSONEachRow', values: [{
      id, name, feed: JSON.stringify(rest), created_at: chTime(createdAt), updated_at: chTime(updatedAt),
      revision: Date.now() * 1000 + Math.floor(Math.random() * 1000), deleted: deleted ? 1 : 0,
    }] });
  }

  async list(): Promise<StoredConversionsFeed[]> {
    const rs = await this.client.query({
      query: `SELECT id, name, feed, toString(created_at) AS created_at, toString(updated_at) AS updated_at FROM conversion_feeds FINAL WHERE deleted = 0 ORDER BY created_at, id`,
      format: 'JSONEachRow',
    });
    const iso = (t: string) => `${t.replace(' ', 'T')}Z`;
    return (await rs.json<{ id: string; name: string; feed: string; created_at: string; updated_at: string }>()).map((r) => ({
      ...(JSON.parse(r.feed) as Omit<StoredConversionsFeed, 'id' | 'name' | 'createdAt' | 'updatedAt'>), id: r.id, name: r.name, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
    }));
  }

  async get(id: string): Promise<StoredConversionsFeed | undefined> {
    return (await this.list()).find((f) => f.id === id);
  }

  /** The connector settings with the token opened, validated again (defaults of newer versions apply). */
  openSettings(feed: StoredConversionsFeed): ConversionsApiSettings {
    if (!this.box) throw new Error('SEXTANT_SECRET_KEY is not set');
    return validateConfig(conversionsApi, openSettings(feed.stored, this.box, `capi:${feed.id}`));
  }

  /** What the API returns: the token never included. */
  static present(feed: StoredConversionsFeed): Record<string, unknown> {
    const { stored, ...rest } = feed;
    const settings = redactSettings(conversionsApi, stored.settings);
    return { ...rest, settings: { ...settings, ...Object.fromEntries(conversionsApi.secretFields.map((f) => [f, '[redacted]'])) } };
  }
}
