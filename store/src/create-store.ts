import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { StoreError } from './store-error.js';

export interface StoreOptions {
  /** A ClickHouse server URL; when absent, ClickHouse runs in-process (chDB) under `dataDir`. */
  clickhouseUrl?: string | undefined;
  /** Where chDB keeps its files (embedded mode only). */
  dataDir: string;
}

export interface Store {
  client: ClickHouseClient;
  mode: 'embedded' | 'server';
  close(): Promise<void>;
}

/**
 * The one place that decides where ClickHouse is. Everything else receives a `@clickhouse/client`
 * and writes each query once; only this function knows whether it talks to chDB or a server.
 */
export async function createStore(options: StoreOptions): Promise<Store> {
  if (options.clickhouseUrl) {
    const client = createClient({ url: options.clickhouseUrl, request_timeout: 60_000 });
    const ping = await client.ping();
    if (!ping.success) {
      await client.close();
      throw new StoreError('CLICKHOUSE_UNREACHABLE', `ClickHouse at ${redactUrl(options.clickhouseUrl)} did not answer: ${ping.error.message}`);
    }
    return { client, mode: 'server', close: () => client.close() };
  }
  const chdbPath = path.resolve(options.dataDir, 'clickhouse');
  mkdirSync(chdbPath, { recursive: true });
  let connection;
  try {
    connection = createChdbConnection({ path: chdbPath });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // The engine reports the lock on stderr; the error itself only says the connection failed.
    if (/lock|another server instance|only one active data directory|failed to create connection/i.test(message)) {
      throw new StoreError(
        'DATA_DIR_IN_USE',
        `data dir ${options.dataDir} is in use by another Sextant process (or cannot be opened): stop the other process or set SEXTANT_DATA_DIR`,
      );
    }
    throw new StoreError('CHDB_OPEN_FAILED', `could not open chDB under ${chdbPath}: ${message}`);
  }
  // chdb's types refer to an older @clickhouse/client-common; at run time the connection fits.
  const client = createClient({
    connection: connection as unknown as NonNullable<ClickHouseClientConfigOptions['connection']>,
  });
  return { client, mode: 'embedded', close: () => client.close() };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
