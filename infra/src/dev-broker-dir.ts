import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { isKafkaBrokerProcess, readPidFile, terminatePid } from './broker-process.js';

/**
 * What a dev broker keeps in its data dir, and what another process (the `kafka:stop` CLI) can do
 * with a broker known only by that dir:
 *   server.properties     written on every start
 *   broker.pid            the JVM's pid while it runs
 *   broker.log            the JVM's output (unless `logFile` says otherwise)
 *   kraft-combined-logs/  Kafka's log.dirs, formatted on the first start
 */
export const DEV_BROKER_FILES = {
  properties: 'server.properties',
  pid: 'broker.pid',
  log: 'broker.log',
  logDir: 'kraft-combined-logs',
} as const;

export function devBrokerPidFile(dataDir: string): string {
  return path.join(dataDir, DEV_BROKER_FILES.pid);
}

/** The pid in `<dataDir>/broker.pid` if that process is a running broker (not a reused pid). */
export function readRunningPid(dataDir: string): number | undefined {
  const pid = readPidFile(devBrokerPidFile(dataDir));
  return pid !== undefined && isKafkaBrokerProcess(pid) ? pid : undefined;
}

export interface DevBrokerStatus {
  running: boolean;
  pid?: number;
  /** From the PLAINTEXT listener of the last start's server.properties. */
  brokers?: string[];
}

export function devBrokerStatus(dataDir: string): DevBrokerStatus {
  const pid = readRunningPid(dataDir);
  let brokers: string[] | undefined;
  try {
    const properties = readFileSync(path.join(dataDir, DEV_BROKER_FILES.properties), 'utf8');
    const listener = /^listeners=.*PLAINTEXT:\/\/([^,\s]+)/m.exec(properties)?.[1];
    if (listener !== undefined) brokers = [listener];
  } catch {
    // never started from this dir
  }
  return { running: pid !== undefined, ...(pid === undefined ? {} : { pid }), ...(brokers === undefined ? {} : { brokers }) };
}

/** SIGTERM to the broker running from `dataDir` (SIGKILL after `timeoutMs`); removes its pid file. */
export async function stopDevBrokerInDir(dataDir: string, timeoutMs = 20_000): Promise<{ pid?: number; outcome: 'terminated' | 'killed' | 'not-running' }> {
  const pid = readRunningPid(dataDir);
  const outcome = pid === undefined ? 'not-running' : await terminatePid(pid, timeoutMs);
  await rm(devBrokerPidFile(dataDir), { force: true });
  return pid === undefined ? { outcome } : { pid, outcome };
}
