import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { migrations, type SextantEnv } from '@sextant/schemas';
import { createStore, runMigrations, type Store } from '@sextant/store';
import { buildApp } from '../app/build-app.js';
import { loggerOptions } from '../app/logger-options.js';
import { resolveJwtSecret } from '../auth/jwt-secret.js';
import { createEventLoader, seedRecentIds } from '../loader/event-loader.js';
import { RecentIds } from '../loader/recent-ids.js';
import { createFileDeadLetterSink } from '../loader/dead-letter.js';
import { createIngestMetrics } from '../metrics/ingest-metrics.js';
import { EmbeddedQueue } from '../queue/embedded-queue.js';
import { SourceRegistry } from '../sources/source-registry.js';
import type { Source } from '../sources/source-registry.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  devSource: Source;
  logger: Logger;
  store: Store;
  /** Loads every accepted event into ClickHouse now. */
  flush(): Promise<void>;
  /** Stops accepting requests, loads what the queue still holds, and closes storage. */
  close(): Promise<void>;
}

/**
 * The embedded default: one process with the tracking API, the in-process durable queue, the loader
 * and ClickHouse (chDB under the data dir, or a server when CLICKHOUSE_URL is set).
 */
export async function startAllInOne(config: SextantEnv, options: { logger?: Logger; listen?: boolean } = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino(loggerOptions(config.LOG_LEVEL));
  const dataDir = path.resolve(config.SEXTANT_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });

  const store = await createStore({ clickhouseUrl: config.CLICKHOUSE_URL, dataDir });
  const closers: (() => Promise<void>)[] = [() => store.close()];
  try {
    const applied = await runMigrations(store.client, migrations);
    if (applied.length > 0) logger.info({ versions: applied }, 'applied ClickHouse migrations');

    const sources = new SourceRegistry(store.client);
    await sources.load();
    const { source: devSource, created } = await sources.ensureDevSource(config.SEXTANT_WRITE_KEY);

    const metrics = createIngestMetrics();
    const queue = await EmbeddedQueue.open({
      dir: path.join(dataDir, 'queue'),
      maxBytes: config.SEXTANT_QUEUE_MAX_BYTES,
      flushIntervalMs: config.SEXTANT_FLUSH_INTERVAL_MS,
      maxBatchEvents: config.SEXTANT_FLUSH_MAX_EVENTS,
      logger,
    });
    closers.unshift(() => queue.close({ drain: true }));
    const recentIds = new RecentIds(config.SEXTANT_DEDUP_WINDOW_IDS);
    await seedRecentIds(store.client, recentIds, queue.replayedKeys());
    queue.consume(
      createEventLoader({
        client: store.client,
        recentIds,
        metrics,
        logger,
        deadLetter: createFileDeadLetterSink(path.join(dataDir, 'dead-letter.ndjson')),
      }),
    );

    const jwtSecret = resolveJwtSecret(config.SEXTANT_JWT_SECRET, dataDir);
    const app = await buildApp({ config, jwtSecret, store, queue, sources, metrics, logger });
    closers.unshift(() => app.close());
    let url = '';
    if (options.listen !== false) {
      url = await app.listen({ port: config.PORT, host: config.HOST });
      logger.info(
        { url, mode: store.mode, dataDir, source: devSource.id, newSource: created },
        `Sextant is listening on ${url}; the development write key is printed below`,
      );
      // Printed on stdout on purpose (not through the redacting logger): the developer needs it.
      process.stdout.write(`\nSextant is running at ${url}\nDevelopment write key: ${devSource.writeKey}\n\n`);
    }
    let closed = false;
    return {
      app,
      url,
      devSource,
      logger,
      store,
      flush: () => queue.flush(),
      close: async () => {
        if (closed) return;
        closed = true;
        for (const close of closers) await close();
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => undefined);
    throw err;
  }
}
