import { spawnSync } from 'node:child_process';

// Each probe runs the tool for real (`java -version`, not a PATH lookup): macOS ships a /usr/bin/java
// stub that exists without any JDK. Results are remembered for the life of the process.
const memo = new Map<string, boolean>();

function runs(command: string, args: string[], timeoutMs: number): boolean {
  const key = `${command} ${args.join(' ')}`;
  let ok = memo.get(key);
  if (ok === undefined) {
    const result = spawnSync(command, args, { stdio: 'ignore', timeout: timeoutMs });
    ok = result.error === undefined && result.status === 0;
    memo.set(key, ok);
  }
  return ok;
}

/** `java -version` works (Java 17+ is what Kafka 4 needs). */
export function isJavaAvailable(): boolean {
  return runs('java', ['-version'], 10_000);
}

/** `mvn -v` works; Maven is needed only for the first fetch of the broker's jars. */
export function isMavenAvailable(): boolean {
  return runs('mvn', ['-v'], 20_000);
}

/** Both tools the Docker-less development broker needs. */
export function isJavaAndMavenAvailable(): boolean {
  return isJavaAvailable() && isMavenAvailable();
}

/** A Docker engine answers (`docker info`), not merely a `docker` CLI on PATH. */
export function isDockerAvailable(): boolean {
  return runs('docker', ['info', '--format', '{{.ServerVersion}}'], 10_000);
}
