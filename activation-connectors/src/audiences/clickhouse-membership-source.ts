import type { NetChange, MembershipSource } from './membership-source.js';

/** The slice of `@clickhouse/client` used here (a chDB connection works the same). */
export interface QueryClient {
  query(params: { query: string; query_params?: Record<string, unknown>; format: 'JSONEachRow' }): Promise<{ json<T>(): Promise<T[]>; stream(): AsyncIterable<{ json<T>(): T }[]> }>;
}

/**
 * The segment engine's tables (migration 0012) as a {@link MembershipSource}: versions from
 * `segment_refreshes`, net changes from `segment_membership_changes` (the last change per person in
 * the version window), members from `segment_members`. Streamed in person-id order.
 */
export function createClickHouseMembershipSource(client: QueryClient): MembershipSource {
  async function* chunks<T, R>(query: string, params: Record<string, unknown>, size: number, map: (row: T) => R): AsyncIterable<R[]> {
    const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
    let chunk: R[] = [];
    for await (const rows of rs.stream()) {
      for (const row of rows) {
        chunk.push(map(row.json<T>()));
        if (chunk.length >= size) {
          yield chunk;
          chunk = [];
        }
      }
    }
    if (chunk.length > 0) yield chunk;
  }
  return {
    async latestVersion(segmentId) {
      const rs = await client.query({ query: 'SELECT max(version) AS v FROM segment_refreshes WHERE segment_id = {segment:String}', query_params: { segment: segmentId }, format: 'JSONEachRow' });
      const [row] = await rs.json<{ v: string | number }>();
      return Number(row?.v ?? 0);
    },
    netChanges(segmentId, fromVersion, toVersion, chunkSize) {
      return chunks<{ pid: string; change: 'entered' | 'left' }, NetChange>(
        `SELECT toString(person_id) AS pid, argMax(change, version) AS change
         FROM segment_membership_changes
         WHERE segment_id = {segment:String} AND version > {from:UInt64} AND version <= {to:UInt64}
         GROUP BY person_id ORDER BY person_id`,
        { segment: segmentId, from: fromVersion, to: toVersion }, chunkSize, (r) => ({ personId: r.pid, change: r.change }));
    },
    members(segmentId, version, chunkSize) {
      return chunks<{ pid: string }, string>(
        'SELECT toString(person_id) AS pid FROM segment_members WHERE segment_id = {segment:String} AND version = {version:UInt64} ORDER BY person_id',
        { segment: segmentId, version }, chunkSize, (r) => r.pid);
    },
  };
}
