#!/usr/bin/env node
import { Command, Option } from 'commander';
import path from 'node:path';
import { ConfigError, loadConfig } from './config/load-config.js';
import { startRole, type Role } from './server/start-role.js';
import { resolveJwtSecret } from './auth/jwt-secret.js';
import { ADMIN_ROLES, signAdminToken } from './auth/admin-token.js';
import { StoreError } from '@sextant/store';

const program = new Command();
program.name('sextant').description('Sextant CDP: Segment-compatible event collection into ClickHouse').showHelpAfterError();

/** Runs a role until SIGINT/SIGTERM, then shuts down cleanly (the embedded queue is loaded first). */
async function runRole(role: Role): Promise<void> {
  const server = await startRole(role, loadConfig());
  const stop = (signal: string) => {
    server.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

program
  .command('start')
  .description('run everything in one process: tracking API, queue, loader, admin API. Queue: Kafka if KAFKA_BROKERS is set, else the embedded log; ClickHouse: CLICKHOUSE_URL, else chDB under SEXTANT_DATA_DIR')
  .action(() => runRole('all'));

program
  .command('ingest')
  .description('run only the tracking API, publishing to Kafka (needs KAFKA_BROKERS; sources from CLICKHOUSE_URL, else only SEXTANT_WRITE_KEY)')
  .action(() => runRole('ingest'));

program
  .command('loader')
  .description('run only the loader: Kafka consumer group → ClickHouse, with health, metrics and the admin API on SEXTANT_LOADER_PORT (needs KAFKA_BROKERS)')
  .action(() => runRole('loader'));

program
  .command('token')
  .description('print an admin API token (HS256 JWT signed with SEXTANT_JWT_SECRET, or the data dir secret)')
  .addOption(new Option('--role <role>', 'what the token may do').choices(ADMIN_ROLES).default('admin'))
  .option('--subject <name>', 'who the token is for', 'developer')
  .option('--expires <duration>', 'lifetime, e.g. 12h, 30d', '30d')
  .action(async (opts: { role: (typeof ADMIN_ROLES)[number]; subject: string; expires: string }) => {
    const config = loadConfig();
    const secret = resolveJwtSecret(config.SEXTANT_JWT_SECRET, path.resolve(config.SEXTANT_DATA_DIR));
    process.stdout.write(`${await signAdminToken(secret, { subject: opts.subject, role: opts.role }, opts.expires)}\n`);
  });

program
  .command('demo')
  .description('simulate a cross-border DTC storefront (shoppers from ads, email, affiliates, search; carts, orders, refunds, reviews) and send it through the tracking API. Without --host: starts Sextant in this process (SEXTANT_DATA_DIR, PORT) and keeps it running. --bulk: straight into ClickHouse for benchmark datasets')
  .option('--host <url>', 'a running Sextant to send to, e.g. http://127.0.0.1:8080 (default: start one in this process)')
  .option('--write-key <key>', 'write key of the source (default: SEXTANT_WRITE_KEY, or the development source)')
  .option('--days <n>', 'days of history, ending now (with --speed live: the coming days)', '30')
  .option('--shoppers <n>', 'how many shoppers', '500')
  .option('--seed <n>', 'random seed: the same seed and --end give the same events', '42')
  .option('--end <iso>', 'end of the simulated window (default: now)')
  .option('--speed <speed>', 'backfill (as fast as the API takes it), live (each event when its time comes), or events per second', 'backfill')
  .option('--concurrency <n>', 'requests in flight', '4')
  .option('--csv-dir <dir>', 'also write the advertising side as CSV (ad-spend.csv, exchange-rates.csv, affiliates.csv)')
  .option('--bulk', 'write straight into ClickHouse in large inserts (no server may be running on the data dir)')
  .option('--data-dir <dir>', 'data dir for --bulk and --import (default: SEXTANT_DATA_DIR)')
  .option('--import <dir>', 'import the CSV files in <dir> into ClickHouse instead of simulating (server stopped, or CLICKHOUSE_URL)')
  .option('--exit', 'with the in-process server: stop once the events are stored instead of serving')
  .option('--no-progress', 'no progress bar')
  .action(async (opts: { host?: string; writeKey?: string; days: string; shoppers: string; seed: string; end?: string; speed: string; concurrency: string; csvDir?: string; bulk?: boolean; dataDir?: string; import?: string; exit?: boolean; progress: boolean }) => {
    const sim = await import('@sextant/storefront-simulator');
    // The simulator's own errors (bad option, data dir in use, refused write key, bad CSV) say what to do: print just that.
    const known = [sim.DemoOptionError, sim.DataDirInUseError, sim.HttpSendError, sim.CsvImportError];
    await runDemo(sim, opts).catch((err: unknown) => {
      // Without --host the demo starts Sextant itself: a server already on the data dir is the usual cause.
      const busy = err instanceof StoreError && err.code === 'DATA_DIR_IN_USE' && !opts.host && !opts.bulk && !opts.import;
      if (!busy && !known.some((k) => err instanceof k)) throw err;
      const hint = busy ? '. If `npm start` is running, send the demo to it: sextant demo --host http://127.0.0.1:8080 --write-key <its write key>' : '';
      process.stderr.write(`sextant demo: ${(err as Error).message}${hint}\n`);
      process.exitCode = 1;
    });
  });

async function runDemo(
  sim: typeof import('@sextant/storefront-simulator'),
  opts: { host?: string; writeKey?: string; days: string; shoppers: string; seed: string; end?: string; speed: string; concurrency: string; csvDir?: string; bulk?: boolean; dataDir?: string; import?: string; exit?: boolean; progress: boolean },
): Promise<void> {
  const journey = {
    seed: Number.isFinite(Number(opts.seed)) ? Number(opts.seed) : opts.seed,
    shoppers: sim.parsePositive('--shoppers', opts.shoppers),
    days: sim.parsePositive('--days', opts.days, false),
    ...(opts.end ? { endMs: sim.parseEnd(opts.end) } : {}),
  };
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const writeKey = opts.writeKey ?? config.SEXTANT_WRITE_KEY;
  if (opts.bulk || opts.import) {
    const dataDir = path.resolve(opts.dataDir ?? config.SEXTANT_DATA_DIR);
    const store = await sim.openBulkStore({ dataDir, clickhouseUrl: config.CLICKHOUSE_URL });
    try {
      const target = config.CLICKHOUSE_URL ? 'ClickHouse (CLICKHOUSE_URL)' : dataDir;
      if (opts.import) {
        const counts = await sim.importSideDataCsv(store, path.resolve(opts.import), await sim.resolveSourceId(store, writeKey));
        process.stdout.write(`imported into ${target}: ${Object.entries(counts).map(([t, c]) => `${t} ${c}`).join(', ')}\n`);
        return;
      }
      const result = await sim.runBulkBuild({ ...journey, store, ...(writeKey ? { writeKey } : {}), progress: opts.progress });
      process.stdout.write(`${sim.formatBulkSummary(result, target)}\n`);
    } finally {
      await store.close();
    }
    return;
  }
  const speed = sim.parseDemoSpeed(opts.speed);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const demo = { ...journey, speed, concurrency: sim.parsePositive('--concurrency', opts.concurrency), progress: opts.progress, signal: abort.signal, ...(opts.csvDir ? { csvDir: path.resolve(opts.csvDir) } : {}) };
  if (opts.host) {
    if (!writeKey) throw new ConfigError(['--write-key (or SEXTANT_WRITE_KEY) is needed to send to --host']);
    const result = await sim.runHttpDemo({ ...demo, host: opts.host, writeKey });
    process.stdout.write(`${sim.formatDemoSummary(result, opts.host)}\n`);
    if (result.failed > 0 || result.rejected > 0) process.exitCode = 1;
    return;
  }
  // No --host: Sextant itself in this process; the demo still goes through its HTTP API.
  const server = await startRole('all', config);
  const source = server.devSource;
  if (!source) throw new ConfigError(['the in-process server has no development source']);
  const result = await sim.runHttpDemo({ ...demo, host: server.url, writeKey: source.writeKey, sourceId: source.id, ...(server.store ? { sideDataStore: server.store } : {}) });
  await server.flush();
  process.stdout.write(`${sim.formatDemoSummary(result, server.url)}\n`);
  if (opts.exit || abort.signal.aborted) {
    await server.close();
    return;
  }
  process.stdout.write(`Sextant is running at ${server.url} with the demo data (write key ${source.writeKey}); admin token: npx sextant token. Ctrl-C to stop.\n`);
  const stop = () => server.close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

program.parseAsync().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof StoreError) {
    process.stderr.write(`sextant: ${err.message}\n`);
  } else {
    process.stderr.write(`sextant: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
