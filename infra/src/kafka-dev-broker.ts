import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { logTail, signal } from './broker-process.js';
import { DEV_BROKER_FILES, devBrokerPidFile, readRunningPid } from './dev-broker-dir.js';
import { DevBrokerError } from './errors.js';
import { formatKafkaStorage } from './format-kafka-storage.js';
import { ensureKafkaJars } from './kafka-jars.js';
import { DEV_NODE_ID, freePort, newClusterId, parseClusterId, renderServerProperties } from './kafka-server-properties.js';

/**
 * A single-node Kafka (KRaft, broker + controller in one JVM) for development and CI, without Docker:
 * the jars come from Maven Central once (ensureKafkaJars), the JVM runs detached with its output in a
 * log file. Recipe and figures: shared/specs/kafka-dev-broker.md.
 * What it keeps in the data dir: see dev-broker-dir.ts.
 */

export interface DevBrokerOptions {
  /** Kept across restarts. Default: a new temporary folder, removed by `close()` or when this process exits. */
  dataDir?: string;
  /** Client port on 127.0.0.1. Default: a free port. */
  port?: number;
  /** KRaft controller port on 127.0.0.1. Default: a free port. */
  controllerPort?: number;
  /** JVM max heap (default 512; the minimum heap is 256 or less). */
  heapMb?: number;
  /** Where the JVM's output goes (appended). Default: `<dataDir>/broker.log`. */
  logFile?: string;
  /** Where the jars are (default infra/kafka/.libs). */
  libsDir?: string;
  /** Longest wait for `describeCluster` to answer after a (re)start. Default 60 s. */
  readyTimeoutMs?: number;
  /** Leave the broker running when this Node process exits (the `kafka:start` CLI). Default false: it is killed. */
  outliveProcess?: boolean;
}

export interface DevBroker {
  /** Bootstrap servers for kafkajs, e.g. `['127.0.0.1:9092']`. */
  readonly brokers: string[];
  /** The JVM's pid (a new one after `restart()`). */
  readonly pid: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly clusterId: string;
  /** SIGTERM, bounded wait, then SIGKILL. The data dir stays: `restart()` starts it again. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; the data dir stays so `restart()` can recover from it. */
  kill(): Promise<void>;
  /** Starts again on the same data dir and ports (after `stop()` or `kill()`; a running JVM is stopped first). */
  restart(): Promise<void>;
  /** For good: `stop()`, then removes the data dir if startDevBroker made it. */
  close(): Promise<void>;
}

export const DEV_BROKER_HOST = '127.0.0.1';
const STOP_TIMEOUT_MS = 20_000;
const PORT_ATTEMPTS = 3;
// slf4j-simple prints ~1,400 INFO lines at start; keep warnings and the "Kafka Server started" line.
const QUIET_LOGGING = [
  '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
  '-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaRaftServer=info',
  '-Dorg.slf4j.simpleLogger.showDateTime=true',
  "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
];

// Brokers of this process: killed when it exits (unless started with `outliveProcess`), and their
// temporary data dirs removed, even when a test failed before calling close().
const ownedBrokers = new Set<DevBrokerProcess>();
let exitHookInstalled = false;

function cleanUpOnExit(broker: DevBrokerProcess): void {
  ownedBrokers.add(broker);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const owned of ownedBrokers) owned.killNowSync();
  });
}

/** Fetches the jars if needed, formats the storage once, starts the JVM and waits until it answers. */
export async function startDevBroker(options: DevBrokerOptions = {}): Promise<DevBroker> {
  const libsDir = await ensureKafkaJars(options.libsDir === undefined ? {} : { libsDir: options.libsDir });
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir === undefined ? await mkdtemp(path.join(tmpdir(), 'sextant-kafka-')) : path.resolve(options.dataDir);
  try {
    await mkdir(dataDir, { recursive: true });
    const running = readRunningPid(dataDir);
    if (running !== undefined) {
      throw new DevBrokerError('ALREADY_RUNNING', `a Kafka broker (pid ${running}) already runs from ${dataDir}: stop it first (npm run kafka:stop)`);
    }
    // Ports picked here can be taken before the JVM binds them: then pick again (only if we picked).
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await freePort(DEV_BROKER_HOST));
      let controllerPort = options.controllerPort ?? (await freePort(DEV_BROKER_HOST));
      while (controllerPort === port) controllerPort = await freePort(DEV_BROKER_HOST);
      const broker = new DevBrokerProcess({ ...options, dataDir, ownsDataDir, libsDir, port, controllerPort });
      try {
        await broker.prepare();
        await broker.launch();
        return broker;
      } catch (err) {
        ownedBrokers.delete(broker); // never handed out: its data dir is cleaned up here, not at exit
        const picked = options.port === undefined || options.controllerPort === undefined;
        const portTaken = err instanceof DevBrokerError && err.code === 'BROKER_EXITED' && /Address already in use/.test(err.message);
        if (!(picked && portTaken && attempt < PORT_ATTEMPTS)) throw err;
      }
    }
  } catch (err) {
    if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

interface DevBrokerConfig extends DevBrokerOptions {
  dataDir: string;
  ownsDataDir: boolean;
  libsDir: string;
  port: number;
  controllerPort: number;
}

class DevBrokerProcess implements DevBroker {
  readonly brokers: string[];
  readonly dataDir: string;
  readonly logFile: string;
  readonly port: number;
  readonly controllerPort: number;
  clusterId = '';
  private child: ChildProcess | undefined;
  private closed = false;
  private readonly propertiesFile: string;
  private readonly logDir: string;

  constructor(private readonly config: DevBrokerConfig) {
    this.dataDir = config.dataDir;
    this.port = config.port;
    this.controllerPort = config.controllerPort;
    this.brokers = [`${DEV_BROKER_HOST}:${config.port}`];
    this.logFile = path.resolve(config.logFile ?? path.join(config.dataDir, DEV_BROKER_FILES.log));
    this.propertiesFile = path.join(config.dataDir, DEV_BROKER_FILES.properties);
    this.logDir = path.join(config.dataDir, DEV_BROKER_FILES.logDir);
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  /** Writes server.properties; formats the log dir unless an earlier start did (its cluster id is kept). */
  async prepare(): Promise<void> {
    const { port, controllerPort } = this;
    await writeFile(this.propertiesFile, renderServerProperties({ host: DEV_BROKER_HOST, port, controllerPort, logDir: this.logDir }));
    const metaFile = path.join(this.logDir, 'meta.properties');
    const existing = existsSync(metaFile) ? parseClusterId(await readFile(metaFile, 'utf8')) : undefined;
    if (existing !== undefined) {
      this.clusterId = existing;
      return;
    }
    this.clusterId = newClusterId();
    await formatKafkaStorage(this.config.libsDir, this.propertiesFile, this.clusterId, QUIET_LOGGING);
  }

  /** Spawns the JVM detached (its own process group) and waits until it answers as this cluster. */
  async launch(): Promise<void> {
    const heapMb = this.config.heapMb ?? 512;
    const args = [
      `-Xms${Math.min(256, heapMb)}m`,
      `-Xmx${heapMb}m`,
      '-Djava.awt.headless=true',
      ...QUIET_LOGGING,
      '-cp',
      path.join(this.config.libsDir, '*'),
      'kafka.Kafka',
      this.propertiesFile,
    ];
    await mkdir(path.dirname(this.logFile), { recursive: true });
    const logStart = existsSync(this.logFile) ? statSync(this.logFile).size : 0;
    const out = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn('java', args, { cwd: this.dataDir, detached: true, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'ENOENT' ? new DevBrokerError('JAVA_MISSING', 'java was not found on PATH: install Java 17+ to run the development Kafka broker', { cause: err }) : err),
      );
    });
    child.unref();
    this.child = child;
    await writeFile(devBrokerPidFile(this.dataDir), `${child.pid}\n`);
    cleanUpOnExit(this);
    try {
      await this.waitUntilReady(logStart);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.terminate();
    await rm(devBrokerPidFile(this.dataDir), { force: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stop();
    ownedBrokers.delete(this);
    if (this.config.ownsDataDir) await rm(this.dataDir, { recursive: true, force: true });
  }

  async kill(): Promise<void> {
    if (!this.isRunning()) return;
    signal(this.pid, 'SIGKILL');
    await this.waitForExit(5000);
  }

  async restart(): Promise<void> {
    if (this.closed) throw new DevBrokerError('BROKER_CLOSED', 'this broker was closed (its temporary data dir is gone): start a new one');
    await this.terminate();
    await this.launch();
  }

  /** For the process 'exit' hook: nothing asynchronous can run there. */
  killNowSync(): void {
    if (this.isRunning()) {
      if (this.config.outliveProcess === true) return;
      signal(this.pid, 'SIGKILL');
    }
    if (this.config.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true, maxRetries: 3 });
  }

  private isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async terminate(): Promise<void> {
    if (!this.isRunning()) return;
    signal(this.pid, 'SIGTERM');
    if (await this.waitForExit(STOP_TIMEOUT_MS)) return;
    signal(this.pid, 'SIGKILL');
    await this.waitForExit(5000);
  }

  private async waitForExit(timeoutMs: number): Promise<boolean> {
    const child = this.child;
    if (child === undefined || !this.isRunning()) return true;
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      new Promise<boolean>((resolve) => child.once('exit', () => resolve(true))),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return exited;
  }

  /**
   * Polls `describeCluster` until it answers with our cluster id and our node among the live brokers.
   * After a `kill -9` the first answers take ~5 s: the controller refuses the new registration
   * (DUPLICATE_BROKER_REGISTRATION) until the old session (broker.session.timeout.ms) expires.
   */
  private async waitUntilReady(logStart: number): Promise<void> {
    const timeoutMs = this.config.readyTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.isRunning()) {
        const how = this.child?.signalCode ?? `code ${this.child?.exitCode}`;
        const tail = await logTail(this.logFile, logStart);
        throw new DevBrokerError('BROKER_EXITED', `the Kafka broker exited (${how}) before it was ready${this.explain(tail)}; ${this.logFile} ends with:\n${tail}`);
      }
      if (await answersAsCluster(this.brokers, this.clusterId)) return;
      if (Date.now() >= deadline) {
        throw new DevBrokerError('BROKER_NOT_READY', `the Kafka broker on ${this.brokers[0]} did not answer within ${timeoutMs / 1000} s; ${this.logFile} ends with:\n${await logTail(this.logFile, logStart)}`);
      }
      await sleep(250);
    }
  }

  /** The usual reasons a broker JVM exits at start, said plainly before its stack traces. */
  private explain(logTail: string): string {
    if (/Address already in use/.test(logTail)) return `: port ${this.port} or ${this.controllerPort} is already in use (another broker? npm run kafka:status)`;
    if (/UnsupportedClassVersionError/.test(logTail)) return ': this Java is too old, Kafka 4 needs Java 17+';
    return '';
  }
}

async function answersAsCluster(brokers: string[], clusterId: string): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'sextant-dev-broker-probe', brokers, connectionTimeout: 1000, requestTimeout: 2500, retry: { retries: 0 }, logLevel: logLevel.NOTHING });
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  try {
    const cluster = await Promise.race([
      admin.connect().then(() => admin.describeCluster()),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('probe timed out')), 4000))),
    ]);
    return cluster.clusterId === clusterId && cluster.brokers.some((b) => b.nodeId === DEV_NODE_ID);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}
