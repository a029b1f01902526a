import type { Logger } from 'pino';
import type { SextantEnv } from '@sextant/schemas';
import { startRole, type RunningServer } from './start-role.js';

export type { RunningServer } from './start-role.js';

/**
 * The embedded default: one process with the tracking API, the in-process durable queue, the loader
 * and ClickHouse (chDB under the data dir, or a server when CLICKHOUSE_URL is set).
 */
export function startAllInOne(config: SextantEnv, options: { logger?: Logger; listen?: boolean } = {}): Promise<RunningServer> {
  return startRole('all', config, options);
}
