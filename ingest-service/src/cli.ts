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

program.parseAsync().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof StoreError) {
    process.stderr.write(`sextant: ${err.message}\n`);
  } else {
    process.stderr.write(`sextant: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
