import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { formatClickHouseDateTime64, migrations, type SextantEnv } from '@sextant/schemas';
import { createStore, runMigrations, type Store } from '@sextant/store';
import { buildApp } from '../app/build-app.js';
import { loggerOptions } from '../app/logger-options.js';
import { resolveJwtSecret } from '../auth/jwt-secret.js';
import { createEventLoader, seedRecentIds } from '../loader/event-loader.js';
import { SuppressionList } from '../loader/suppression-list.js';
import { RecentIds } from '../loader/recent-ids.js';
import { createFileDeadLetterSink } from '../loader/dead-letter.js';
import { createIngestMetrics } from '../metrics/ingest-metrics.js';
import { EmbeddedQueue } from '../queue/embedded-queue.js';
import type { EventQueue } from '../queue/event-queue.js';
import { createKafka } from '../queue/kafka/create-kafka.js';
import { ensureTopics } from '../queue/kafka/ensure-topics.js';
import { KafkaQueue } from '../queue/kafka/kafka-queue.js';
import { SourceRegistry, type Source } from '../sources/source-registry.js';
import { staticSourceLookup, type SourceLookup } from '../sources/source-lookup.js';
import { ConfigError } from '../config/load-config.js';

/** What a process runs: everything (`sextant start`), only the tracking API, or only the loader. */
export type Role = 'all' | 'ingest' | 'loader';

export interface RunningServer {
  role: Role;
  app: FastifyInstance;
  url: string;
  /** The development source (absent for an ingest role without ClickHouse that has only the env key). */
  devSource: Source | undefined;
  logger: Logger;
  /** Absent for an ingest role that has no ClickHouse connection. */
  store: Store | undefined;
  queue: EventQueue;
  /** Loads every accepted event into ClickHouse now (embedded queue; a no-op with Kafka). */
  flush(): Promise<void>;
  /** Stops accepting requests, loads what the embedded queue still holds, and closes connections. */
  close(): Promise<void>;
}

/**
 * Starts one role. The queue is Kafka when KAFKA_BROKERS is set, else the embedded durable log.
 * ClickHouse is a server when CLICKHOUSE_URL is set, else chDB under the data dir.
 */
export async function startRole(role: Role, config: SextantEnv, options: { logger?: Logger; listen?: boolean } = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino(loggerOptions(config.LOG_LEVEL));
  const dataDir = path.resolve(config.SEXTANT_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  if (role !== 'all' && !config.KAFKA_BROKERS) {
    throw new ConfigError([`KAFKA_BROKERS must be set to run the ${role} role on its own (or use \`sextant start\` for one process)`]);
  }
  // The ingest role needs ClickHouse only for sources; without a server it accepts the env key only.
  const needsStore = role !== 'ingest' || config.CLICKHOUSE_URL !== undefined;
  if (role === 'ingest' && !needsStore && !config.SEXTANT_WRITE_KEY) {
    throw new ConfigError(['SEXTANT_WRITE_KEY must be set for an ingest role without CLICKHOUSE_URL (it cannot read sources)']);
  }

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0)) await close().catch((err: unknown) => logger.error({ err }, 'error while closing'));
  };
  try {
    let store: Store | undefined;
    let registry: SourceRegistry | undefined;
    let devSource: Source | undefined;
    if (needsStore) {
      store = await createStore({ clickhouseUrl: config.CLICKHOUSE_URL, dataDir });
      const s = store;
      closers.unshift(() => s.close());
      const applied = await runMigrations(store.client, migrations);
      if (applied.length > 0) logger.info({ versions: applied }, 'applied ClickHouse migrations');
      registry = new SourceRegistry(store.client);
      await registry.load();
      // Only roles that take events need the development source (two roles creating it would race).
      if (role !== 'loader') devSource = (await registry.ensureDevSource(config.SEXTANT_WRITE_KEY)).source;
    }
    const sources: SourceLookup =
      registry ??
      staticSourceLookup([{ id: 'src_dev', name: 'Development', writeKey: config.SEXTANT_WRITE_KEY!, createdAt: formatClickHouseDateTime64(Date.now()) }]);

    const metrics = createIngestMetrics();
    const recentIds = new RecentIds(config.SEXTANT_DEDUP_WINDOW_IDS);
    let queue: EventQueue;
    let flush = async () => {};
    if (config.KAFKA_BROKERS) {
      const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.SEXTANT_KAFKA_CLIENT_ID}-${role}`, logger });
      await ensureTopics(kafka, [config.SEXTANT_KAFKA_TOPIC, config.SEXTANT_KAFKA_DLQ_TOPIC], config.SEXTANT_KAFKA_PARTITIONS, config.SEXTANT_KAFKA_REPLICATION);
      const kafkaQueue = new KafkaQueue({
        kafka,
        topic: config.SEXTANT_KAFKA_TOPIC,
        dlqTopic: config.SEXTANT_KAFKA_DLQ_TOPIC,
        groupId: config.SEXTANT_KAFKA_GROUP,
        publishTimeoutMs: config.SEXTANT_PUBLISH_TIMEOUT_MS,
        maxBytesPerPartition: config.SEXTANT_KAFKA_MAX_FETCH_BYTES,
        maxLoadEvents: config.SEXTANT_FLUSH_MAX_EVENTS,
        metrics,
        logger,
        // Another loader may have stored (but not committed) what this one now receives.
        onAssignment: async () => {
          if (store) await seedRecentIds(store.client, recentIds, []);
        },
      });
      if (role !== 'loader') await kafkaQueue.connectProducer();
      closers.unshift(() => kafkaQueue.close());
      queue = kafkaQueue;
    } else {
      const embedded = await EmbeddedQueue.open({
        dir: path.join(dataDir, 'queue'),
        maxBytes: config.SEXTANT_QUEUE_MAX_BYTES,
        flushIntervalMs: config.SEXTANT_FLUSH_INTERVAL_MS,
        maxBatchEvents: config.SEXTANT_FLUSH_MAX_EVENTS,
        logger,
      });
      closers.unshift(() => embedded.close({ drain: true }));
      queue = embedded;
      flush = () => embedded.flush();
    }

    if (role !== 'ingest') {
      const client = store!.client;
      const replayed = queue instanceof EmbeddedQueue ? queue.replayedKeys() : [];
      await seedRecentIds(client, recentIds, replayed);
      queue.consume(
        createEventLoader({
          store: store!,
          recentIds,
          metrics,
          logger,
          deadLetter: createFileDeadLetterSink(path.join(dataDir, 'dead-letter.ndjson')),
          suppression: new SuppressionList(client, config.SEXTANT_SUPPRESSION_REFRESH_MS),
        }),
      );
    }

    const jwtSecret = resolveJwtSecret(config.SEXTANT_JWT_SECRET, dataDir);
    const app = await buildApp({
      config,
      jwtSecret,
      queue,
      metrics,
      logger,
      tracking: role === 'loader' ? undefined : { sources },
      admin: store && registry ? { store, sources: registry } : undefined,
    });
    closers.unshift(() => app.close());
    let url = '';
    if (options.listen !== false) {
      const port = role === 'loader' ? config.SEXTANT_LOADER_PORT : config.PORT;
      url = await app.listen({ port, host: config.HOST });
      logger.info({ url, role, storage: store?.mode ?? 'none', queue: config.KAFKA_BROKERS ? 'kafka' : 'embedded', dataDir }, `Sextant ${role} is listening on ${url}`);
      // Printed on stdout on purpose (not through the redacting logger): the developer needs the key.
      const key = role === 'loader' ? '' : `Development write key: ${devSource?.writeKey ?? config.SEXTANT_WRITE_KEY}\n`;
      process.stdout.write(`\nSextant is running at ${url} (role: ${role})\n${key}\n`);
    }
    return { role, app, url, devSource, logger, store, queue, flush: () => flush(), close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
