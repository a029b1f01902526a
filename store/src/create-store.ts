import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { Readable } from 'node:stream';
import { createChdbConnection, type ChdbExtension } from 'chdb/connection';
import { StoreError } from './store-error.js';

export interface StoreOptions {
  /** A ClickHouse server URL; when absent, ClickHouse runs in-process (chDB) under `dataDir`. */
  clickhouseUrl?: string | undefined;
  /** Where chDB keeps its files (embedded mode only). */
  dataDir: string;
}

/** A pre-serialised insert: the bytes go to the engine as they are. */
export interface RawInsert {
  table: string;
  format: 'JSONEachRow' | 'JSONCompactEachRow';
  /** The columns the rows hold, in order (required by JSONCompactEachRow unless rows match the table). */
  columns?: readonly string[];
  body: Buffer;
  /** Settings of this insert only (e.g. `insert_deduplication_token`). */
  settings?: Record<string, string | number>;
}

export interface Store {
  client: ClickHouseClient;
  mode: 'embedded' | 'server';
  /**
   * The fast insert path for large batches: chDB takes the Buffer zero-copy and parses it on its own
   * threads; a server gets it streamed as the HTTP body. Either way JavaScript never re-encodes rows.
   */
  insertRaw(insert: RawInsert): Promise<void>;
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
    const insertRaw = async ({ table, format, columns, body, settings }: RawInsert) => {
      const list = columns ? ` (${columns.map(identifier).join(', ')})` : '';
      const result = await client.exec({
        query: `INSERT INTO ${identifier(table)}${list} FORMAT ${format}`,
        values: Readable.from(body),
        // HTTP settings are per request on a server (they do not stick as on chDB's connection).
        ...(settings ? { clickhouse_settings: settings } : {}),
      });
      result.stream.resume();
    };
    return { client, mode: 'server', insertRaw, close: () => client.close() };
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
  const chdb = (connection as unknown as { chdb: ChdbExtension }).chdb;
  const insertRaw = async ({ table, format, columns, body, settings }: RawInsert) => {
    await chdb.rawInsert({
      table: identifier(table),
      format,
      values: body,
      ...(columns ? { columns: columns.map(identifier) } : {}),
      ...(settings ? { settings } : {}),
    });
  };
  return { client, mode: 'embedded', insertRaw, close: () => client.close() };
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

/** Table and column names come from our code, never from users; still, refuse anything but a plain identifier. */
function identifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return name;
}
