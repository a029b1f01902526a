import { spawn } from 'node:child_process';
import path from 'node:path';
import { DevBrokerError } from './errors.js';

const FORMAT_TIMEOUT_MS = 60_000;

/**
 * `kafka.tools.StorageTool format`: one short JVM run that writes meta.properties and the bootstrap
 * metadata into log.dirs. Without it the broker exits with "No readable meta.properties files found".
 * The properties use a static `controller.quorum.voters` line, so no `--standalone` (it is refused).
 */
export function formatKafkaStorage(libsDir: string, propertiesFile: string, clusterId: string, jvmFlags: string[] = []): Promise<void> {
  // A short-lived tool: C1 only and the serial GC start faster.
  const args = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', ...jvmFlags, '-cp', path.join(libsDir, '*'), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile];
  return new Promise((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: FORMAT_TIMEOUT_MS });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new DevBrokerError('JAVA_MISSING', 'java was not found on PATH: install Java 17+ to run the development Kafka broker', { cause: err }) : err),
    );
    child.on('close', (code, signal) =>
      code === 0 ? resolve() : reject(new DevBrokerError('STORAGE_FORMAT_FAILED', `kafka.tools.StorageTool format failed (${signal ?? `exit ${code}`}):\n${output.trim()}`)),
    );
  });
}
