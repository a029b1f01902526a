import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openEngineStore } from '@sextant/segment-engine';
import type { Store } from '@sextant/store';

/** A test file's own chDB store: a fresh data dir under the temp dir (name starting with `prefix`), migrated. */
export async function openMigratedTempStore(prefix: string, clickhouseUrl?: string): Promise<{ dir: string; store: Store }> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, store: await openEngineStore({ dataDir: dir, clickhouseUrl }) };
}

/**
 * A test file's teardown: closes what it opened, in the order given (servers before the store they
 * use; an entry that never opened is skipped), then removes the data dir.
 */
export async function closeTempStore(dir: string | undefined, ...opened: ({ close(): unknown } | undefined)[]): Promise<void> {
  for (const o of opened) await o?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
