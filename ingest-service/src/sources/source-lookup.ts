import type { Source } from './source-registry.js';

/** What the tracking API needs from sources: find one by write key. */
export interface SourceLookup {
  byWriteKey(writeKey: string): Promise<Source | undefined>;
}

/**
 * The ingest role without ClickHouse access (its loader owns an embedded chDB): only the sources
 * given here, i.e. the one of SEXTANT_WRITE_KEY.
 */
export function staticSourceLookup(sources: Source[]): SourceLookup {
  const byKey = new Map(sources.map((s) => [s.writeKey, s]));
  return { byWriteKey: async (writeKey) => byKey.get(writeKey) };
}
