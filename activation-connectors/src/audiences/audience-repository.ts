import { randomUUID } from 'node:crypto';
import { audienceInputSchema, type AudienceInput } from '@sextant/schemas';
import { validateConfig } from '../connector.js';
import { findDestination } from '../registry.js';
import { openSettings, redactSettings, sealSettings, type SecretBox, type StoredSettings } from '../secrets/secret-box.js';
import { validateCron } from './audience-scheduler.js';
import type { StateClient } from './clickhouse-audience-state-store.js';

export interface StoredAudienceDestination {
  id: string;
  type: string;
  cron: string;
  timezone: string;
  mode: 'diff' | 'full';
  enabled: boolean;
  stored: StoredSettings;
}

export interface StoredAudience {
  id: string;
  name: string;
  segmentId: string;
  destinations: StoredAudienceDestination[];
  createdAt: string;
  updatedAt: string;
}

export class AudienceInputError extends Error {
  readonly code = 'INVALID_AUDIENCE';
}

/** Audiences in the `audiences` table (0020), destination secrets sealed with the {@link SecretBox}. */
export class AudienceRepository {
  constructor(private readonly client: StateClient, private readonly box: SecretBox | undefined) {}

  /** Validates input (schema, connector settings, cron) and seals secrets. */
  build(input: unknown, existing?: StoredAudience): StoredAudience {
    const parsed = audienceInputSchema.safeParse(input);
    if (!parsed.success) throw new AudienceInputError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (!this.box) throw new AudienceInputError('SEXTANT_SECRET_KEY is not set: destination tokens cannot be stored encrypted');
    const a: AudienceInput = parsed.data;
    const now = new Date().toISOString();
    const id = existing?.id ?? randomUUID();
    return {
      id, name: a.name, segmentId: a.segmentId, createdAt: existing?.createdAt ?? now, updatedAt: now,
      destinations: a.destinations.map((d, i) => {
        const definition = findDestination(d.type);
        if (!definition) throw new AudienceInputError(`destinations.${i}.type: unknown destination "${d.type}"`);
        const destId = `${id}-${i}`;
        let settings: Record<string, unknown>;
        try {
          settings = validateConfig(definition, d.settings) as Record<string, unknown>;
          validateCron(d.cron, d.timezone);
        } catch (err) {
          throw new AudienceInputError(`destinations.${i}: ${(err as Error).message}`);
        }
        return { id: destId, type: d.type, cron: d.cron, timezone: d.timezone, mode: d.mode, enabled: d.enabled, stored: sealSettings(definition, settings, this.box!, destId) };
      }),
    };
  }

  async save(a: StoredAudience, deleted = false): Promise<void> {
    await this.client.insert({ table: 'audiences', format: 'JSONEachRow', values: [{
      id: a.id, name: a.name, segment_id: a.segmentId, destinations: JSON.stringify(a.destinations),
      created_at: a.createdAt.replace('T', ' ').replace('Z', ''), updated_at: a.updatedAt.replace('T', ' ').replace('Z', ''),
      revision: Date.now() * 1000 + Math.floor(Math.random() * 1000), deleted: deleted ? 1 : 0,
    }] });
  }

  async list(): Promise<StoredAudience[]> {
    const rs = await this.client.query({ query: 'SELECT id, name, segment_id, destinations, created_at, updated_at FROM audiences FINAL WHERE deleted = 0 ORDER BY created_at', format: 'JSONEachRow' });
    return (await rs.json<{ id: string; name: string; segment_id: string; destinations: string; created_at: string; updated_at: string }>()).map((r) => ({
      id: r.id, name: r.name, segmentId: r.segment_id, destinations: JSON.parse(r.destinations) as StoredAudienceDestination[], createdAt: r.created_at, updatedAt: r.updated_at,
    }));
  }

  async get(id: string): Promise<StoredAudience | undefined> {
    return (await this.list()).find((a) => a.id === id);
  }

  /** True when secrets can be opened (`SEXTANT_SECRET_KEY` is set). */
  get canOpenSettings(): boolean {
    return this.box !== undefined;
  }

  /** Settings with secrets opened, for a run. */
  openSettings(d: StoredAudienceDestination): Record<string, unknown> {
    if (!this.box) throw new Error('SEXTANT_SECRET_KEY is not set');
    return openSettings(d.stored, this.box, d.id);
  }

  /** What the API returns: secrets never included. */
  static present(a: StoredAudience): Record<string, unknown> {
    return { ...a, destinations: a.destinations.map(({ stored, ...d }) => {
      const definition = findDestination(d.type);
      const secretFields = definition?.secretFields ?? [];
      const settings = definition ? redactSettings(definition, stored.settings) : stored.settings;
      return { ...d, settings: { ...settings, ...Object.fromEntries(secretFields.map((f) => [f, '[redacted]'])) } };
    }) };
  }
}
