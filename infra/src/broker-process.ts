import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

// Helpers for a broker JVM known only by its pid (started by another process, e.g. `npm run
// kafka:start`), and for showing what it printed when it failed.

/** The process exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid is alive and is a Kafka broker JVM, not an unrelated process that reused the pid. */
export function isKafkaBrokerProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const ps = spawnSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8', timeout: 5000 });
  if (ps.error !== undefined) return true; // no `ps`: trust the pid file
  return ps.stdout.includes('kafka.Kafka');
}

/** The pid written in a pid file, if the file holds one. */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Polls until the process is gone; false if it still runs after `timeoutMs`. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/** SIGTERM (Kafka shuts down cleanly in ~2.5 s), then SIGKILL if it is still there after `timeoutMs`. */
export async function terminatePid(pid: number, timeoutMs: number): Promise<'terminated' | 'killed'> {
  signal(pid, 'SIGTERM');
  if (await waitForPidExit(pid, timeoutMs)) return 'terminated';
  signal(pid, 'SIGKILL');
  await waitForPidExit(pid, 5000);
  return 'killed';
}

export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** The last `lines` lines a log file received after byte `fromByte` (what this start printed). */
export async function logTail(file: string, fromByte = 0, lines = 40): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const start = Math.max(fromByte, size - 64 * 1024);
      const buffer = Buffer.alloc(Math.max(0, size - start));
      await handle.read(buffer, 0, buffer.length, start);
      const text = buffer.toString('utf8').trimEnd();
      return text === '' ? '(the broker printed nothing)' : text.split('\n').slice(-lines).join('\n');
    } finally {
      await handle.close();
    }
  } catch {
    return `(no log at ${file})`;
  }
}
