// The built server (`node ingest-service/dist/cli.js start`, or one role: `ingest` / `loader`) as a
// child process of a benchmark, on a fresh temp data dir, plus the few reads a benchmark needs
// (readiness, Prometheus samples, resident memory).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../ingest-service/dist/cli.js', import.meta.url));
const delay = (ms) => new Promise((r) => setTimeout(r, ms));
/** For races only: resolves with undefined after `ms` without keeping the process alive. */
const deadline = (ms) => new Promise((r) => setTimeout(r, ms).unref());

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server; resolves once it printed its URL and /readyz answers 200 (bounded).
 * `command`: `start` (all in one, the default), `ingest` or `loader` (both need KAFKA_BROKERS in `env`;
 * the loader listens on SEXTANT_LOADER_PORT, set here to the picked port).
 */
export async function startServer({ command = 'start', env = {}, readyTimeoutMs = 60_000 } = {}) {
  if (!['start', 'ingest', 'loader'].includes(command)) throw new Error(`unknown server command ${command}`);
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first`);
  const dataDir = mkdtempSync(path.join(tmpdir(), command === 'start' ? 'sextant-bench-' : `sextant-bench-${command}-`));
  const port = await freePort();
  const writeKey = 'bench_write_key_0001';
  // For profiling a role, e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI_PATH, command], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      ...(command === 'loader' ? { SEXTANT_LOADER_PORT: String(port) } : {}),
      HOST: '127.0.0.1',
      SEXTANT_DATA_DIR: dataDir,
      SEXTANT_WRITE_KEY: writeKey,
      SEXTANT_JWT_SECRET: 'bench-secret-that-is-at-least-32-characters',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk) => (output = (output + chunk).slice(-32_768));
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let exitStatus;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exitStatus = { code, signal }))));
  // If the benchmark itself dies, do not leave the server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const url = `http://127.0.0.1:${port}`;
  const server = {
    url,
    dataDir,
    writeKey,
    pid: child.pid,
    output: () => output,
    /** SIGTERM (the server loads its queue first), SIGKILL after `timeoutMs`; resolves with the exit status. */
    async stop(timeoutMs = 60_000) {
      if (!exitStatus) {
        child.kill('SIGTERM');
        const status = await Promise.race([exited, deadline(timeoutMs)]);
        if (!status) child.kill('SIGKILL');
      }
      const status = await Promise.race([exited, deadline(10_000)]);
      process.removeListener('exit', killOnExit);
      return status;
    },
    removeDataDir: () => rmSync(dataDir, { recursive: true, force: true }),
  };

  const readyBy = Date.now() + readyTimeoutMs;
  try {
    while (!output.includes('Sextant is running at')) {
      if (exitStatus) throw new Error(`server exited (${JSON.stringify(exitStatus)}):\n${output}`);
      if (Date.now() > readyBy) throw new Error(`server did not start within ${readyTimeoutMs} ms:\n${output}`);
      await delay(25);
    }
    for (;;) {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      if (res?.status === 200) break;
      if (Date.now() > readyBy) throw new Error(`/readyz not 200 within ${readyTimeoutMs} ms:\n${output}`);
      await delay(50);
    }
  } catch (err) {
    await server.stop(1_000);
    server.removeDataDir();
    throw err;
  }
  return server;
}

/** Resident memory of a process in bytes (VmRSS in /proc/<pid>/status); undefined when unreadable. */
export function readRssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in ms (/proc/<pid>/stat, 100 ticks/s); undefined once it is gone. */
export function readCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime (fields 14, 15 of the line)
  } catch {
    return undefined;
  }
}

/** Prometheus samples of `/metrics`, keyed by name with labels. */
export async function readMetrics(url) {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const samples = new Map();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    samples.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return samples;
}

/** Waits (bounded) until `sextant_queue_depth_events` reads 0 twice in a row; returns the wait in ms. */
export async function waitForQueueDrained(url, timeoutMs = 60_000) {
  const start = Date.now();
  let zeros = 0;
  let depth;
  while (Date.now() - start < timeoutMs) {
    depth = (await readMetrics(url)).get('sextant_queue_depth_events');
    zeros = depth === 0 ? zeros + 1 : 0;
    if (zeros >= 2) return Date.now() - start;
    await delay(100);
  }
  throw new Error(`queue not drained after ${timeoutMs} ms (depth ${depth})`);
}
