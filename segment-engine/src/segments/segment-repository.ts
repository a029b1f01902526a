import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Condition, SegmentSnapshotDefinition } from '@sextant/schemas';
import { invalidateSegmentCatalog } from './segment-catalog.js';

export type DefinitionKind = 'segment' | 'tag';

export interface StoredSegment {
  id: string;
  kind: DefinitionKind;
  name: string;
  description: string;
  /** A DSL condition (recomputed by refreshes), or a snapshot whose members were written once (`snapshot-membership.ts`). */
  definition: Condition | SegmentSnapshotDefinition;
  createdAt: string;
  updatedAt: string;
}

interface Row { id: string; kind: DefinitionKind; name: string; description: string; definition: string; created_at: string; updated_at: string; revision: string; deleted: number }

const now = () => new Date().toISOString().replace('T', ' ').replace('Z', '');

/** Segment and user-tag definitions (a small admin table: each change is a new revision, read with FINAL). */
export class SegmentRepository {
  constructor(private readonly client: ClickHouseClient) {}

  async list(kind?: DefinitionKind): Promise<StoredSegment[]> {
    const rs = await this.client.query({
      query: `SELECT * FROM segment_definitions FINAL WHERE deleted = 0 ${kind ? 'AND kind = {kind:String}' : ''} ORDER BY created_at, id`,
      query_params: { kind },
      format: 'JSONEachRow',
    });
    return (await rs.json<Row>()).map(toSegment);
  }

  async get(id: string): Promise<StoredSegment | undefined> {
    const rs = await this.client.query({ query: `SELECT * FROM segment_definitions FINAL WHERE id = {id:String} AND deleted = 0`, query_params: { id }, format: 'JSONEachRow' });
    const row = (await rs.json<Row>())[0];
    return row ? toSegment(row) : undefined;
  }

  async create(kind: DefinitionKind, input: { name: string; description: string; definition: Condition | SegmentSnapshotDefinition }): Promise<StoredSegment> {
    const at = now();
    const id = kind === 'tag' ? `tag_${randomUUID().slice(0, 8)}` : `seg_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    await this.write({ id, kind, ...input, definition: JSON.stringify(input.definition), created_at: at, updated_at: at, revision: String(Date.now()), deleted: 0 });
    return (await this.get(id))!;
  }

  async update(existing: StoredSegment, input: { name: string; description: string; definition: Condition }): Promise<StoredSegment> {
    await this.write({
      id: existing.id, kind: existing.kind, ...input, definition: JSON.stringify(input.definition),
      created_at: existing.createdAt, updated_at: now(), revision: String(await this.nextRevision(existing.id)), deleted: 0,
    });
    return (await this.get(existing.id))!;
  }

  async delete(existing: StoredSegment): Promise<void> {
    await this.write({
      id: existing.id, kind: existing.kind, name: existing.name, description: existing.description, definition: JSON.stringify(existing.definition),
      created_at: existing.createdAt, updated_at: now(), revision: String(await this.nextRevision(existing.id)), deleted: 1,
    });
  }

  private async nextRevision(id: string): Promise<number> {
    const rs = await this.client.query({ query: 'SELECT max(revision) AS r FROM segment_definitions WHERE id = {id:String}', query_params: { id }, format: 'JSONEachRow' });
    return Math.max(Date.now(), Number((await rs.json<{ r: string }>())[0]?.r ?? 0) + 1);
  }

  private async write(row: Row): Promise<void> {
    await this.client.insert({ table: 'segment_definitions', values: [row], format: 'JSONEachRow' });
    invalidateSegmentCatalog(); // profile lookups show names and deletions at once
  }
}

function toSegment(r: Row): StoredSegment {
  return {
    id: r.id, kind: r.kind, name: r.name, description: r.description, definition: JSON.parse(r.definition) as StoredSegment['definition'],
    createdAt: `${r.created_at.replace(' ', 'T')}Z`, updatedAt: `${r.updated_at.replace(' ', 'T')}Z`,
  };
}
