import { createStore, runMigrations, type Store } from '@sextant/store';
import { migrations } from '@sextant/schemas';

/** A store with every migration applied, for tools that run the engine outside the server (the benchmark). */
export async function openEngineStore(options: { dataDir: string; clickhouseUrl?: string }): Promise<Store> {
  const store = await createStore(options);
  await runMigrations(store.client, migrations);
  return store;
}
