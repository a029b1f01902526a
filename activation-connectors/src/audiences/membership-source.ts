import type { AudienceMember } from '../identifiers/member.js';

/** Net change of one person between two segment versions. */
export interface NetChange {
  personId: string;
  change: 'entered' | 'left';
}

/**
 * What the audience runner needs from the segment engine, as streams (never a whole audience in
 * memory). Watermarks are segment refresh versions (monotonic), not clocks.
 */
export interface MembershipSource {
  /** The newest materialised version of the segment (0 when never refreshed). */
  latestVersion(segmentId: string): Promise<number>;
  /** Per person the last change in (fromVersion, toVersion], ordered by person id, in chunks. */
  netChanges(segmentId: string, fromVersion: number, toVersion: number, chunkSize: number): AsyncIterable<NetChange[]>;
  /** Every member at `version`, ordered by person id, in chunks. */
  members(segmentId: string, version: number, chunkSize: number): AsyncIterable<string[]>;
}

/** Loads identifiers, traits and consent for a chunk of person ids (profile store). */
export interface MemberLoader {
  load(personIds: readonly string[]): Promise<AudienceMember[]>;
}

/** An in-memory source with a full history: tests, the demo and the benchmark. */
export class InMemoryMembershipSource implements MembershipSource {
  /** version → sorted member ids */
  private readonly versions = new Map<string, Map<number, string[]>>();

  /** Records a refresh: the full member list of a new version. */
  refresh(segmentId: string, memberIds: Iterable<string>): number {
    const byVersion = this.versions.get(segmentId) ?? new Map<number, string[]>();
    this.versions.set(segmentId, byVersion);
    const version = byVersion.size + 1;
    byVersion.set(version, [...new Set(memberIds)].sort());
    return version;
  }

  async latestVersion(segmentId: string): Promise<number> {
    return this.versions.get(segmentId)?.size ?? 0;
  }

  async *netChanges(segmentId: string, fromVersion: number, toVersion: number, chunkSize: number): AsyncIterable<NetChange[]> {
    const before = new Set(this.versions.get(segmentId)?.get(fromVersion) ?? []);
    const after = new Set(this.versions.get(segmentId)?.get(toVersion) ?? []);
    const changes: NetChange[] = [];
    for (const id of new Set([...before, ...after])) {
      if (before.has(id) && !after.has(id)) changes.push({ personId: id, change: 'left' });
      else if (!before.has(id) && after.has(id)) changes.push({ personId: id, change: 'entered' });
    }
    changes.sort((a, b) => (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0));
    for (let i = 0; i < changes.length; i += chunkSize) yield changes.slice(i, i + chunkSize);
  }

  async *members(segmentId: string, version: number, chunkSize: number): AsyncIterable<string[]> {
    const list = this.versions.get(segmentId)?.get(version) ?? [];
    for (let i = 0; i < list.length; i += chunkSize) yield list.slice(i, i + chunkSize);
  }
}
