import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevBrokerError } from './errors.js';
import { isJavaAvailable } from './host-tools.js';

/** infra/ itself: one level up from src/ or dist/, or found through node_modules when another package bundled this code. */
function infraDir(): string {
  const here = fileURLToPath(new URL('..', import.meta.url));
  if (existsSync(path.join(here, 'kafka', 'pom.xml'))) return here;
  return path.dirname(createRequire(import.meta.url).resolve('@sextant/infra/package.json'));
}

/** The Maven project naming the broker's jars (Kafka and an SLF4J 1.x binding). */
export const KAFKA_POM_FILE = path.join(infraDir(), 'kafka', 'pom.xml');
/** Where the jars go by default: an ignored folder beside the pom (see .gitignore). */
export const DEFAULT_KAFKA_LIBS_DIR = path.join(infraDir(), 'kafka', '.libs');

export const JARS_MARKER_FILE = '.sextant-kafka-jars';
const FETCH_TIMEOUT_MS = 5 * 60_000;

/** The Kafka version the pom asks for, read from its `<kafka.version>` property. */
export async function kafkaVersion(pomFile = KAFKA_POM_FILE): Promise<string> {
  const pom = await readFile(pomFile, 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];
  if (version === undefined) throw new Error(`${pomFile} has no <kafka.version> property`);
  return version;
}

/**
 * Returns a folder holding the broker's jars, fetching them with Maven the first time. The folder is
 * reused while its marker names the same Kafka version and pom; otherwise it is fetched again. The
 * fetch goes to a temporary folder renamed into place, so a half-done fetch is never used and two
 * test processes fetching at once do not mix their files.
 */
export async function ensureKafkaJars(options: { libsDir?: string; pomFile?: string } = {}): Promise<string> {
  const libsDir = options.libsDir ?? DEFAULT_KAFKA_LIBS_DIR;
  const pomFile = options.pomFile ?? KAFKA_POM_FILE;
  const marker = await jarsMarker(pomFile);
  if (await hasMarker(libsDir, marker)) return libsDir;

  if (!isJavaAvailable()) {
    throw new DevBrokerError('JAVA_MISSING', 'java was not found (or `java -version` failed): install Java 17+ to run the development Kafka broker, or set KAFKA_BROKERS to an existing broker');
  }
  // Beside the target (rename needs the same file system), in a `.tmp/` folder that git ignores.
  const tmpRoot = path.join(path.dirname(libsDir), '.tmp');
  const tmpDir = path.join(tmpRoot, `${path.basename(libsDir)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await runMaven(pomFile, tmpDir);
    await writeFile(path.join(tmpDir, JARS_MARKER_FILE), marker);
    if (existsSync(libsDir) && !(await hasMarker(libsDir, marker))) await rm(libsDir, { recursive: true, force: true });
    try {
      await rename(tmpDir, libsDir);
    } catch (err) {
      // Another process finished the same fetch first: use its folder.
      if (!(await hasMarker(libsDir, marker))) throw err;
    }
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
    await rmdir(tmpRoot).catch(() => undefined); // only when empty: another fetch may be using it
  }
  return libsDir;
}

/** What the marker file holds: the Kafka version and the pom's hash (any pom edit means a new fetch). */
export async function jarsMarker(pomFile: string): Promise<string> {
  const pom = await readFile(pomFile);
  return `kafka ${await kafkaVersion(pomFile)}\npom sha256 ${createHash('sha256').update(pom).digest('hex')}\n`;
}

async function hasMarker(libsDir: string, marker: string): Promise<boolean> {
  try {
    return (await readFile(path.join(libsDir, JARS_MARKER_FILE), 'utf8')) === marker;
  } catch {
    return false;
  }
}

function runMaven(pomFile: string, outputDir: string): Promise<void> {
  const args = ['-q', '-B', '-Dstyle.color=never', '-f', pomFile, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDir}`, '-DincludeScope=runtime'];
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: FETCH_TIMEOUT_MS });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new DevBrokerError('MAVEN_MISSING', 'mvn was not found on PATH: install Maven 3.8+ to fetch the development Kafka broker once (later runs reuse infra/kafka/.libs), or set KAFKA_BROKERS to an existing broker', { cause: err })
          : new DevBrokerError('JAR_FETCH_FAILED', `could not run mvn: ${err.message}`, { cause: err }),
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new DevBrokerError('JAR_FETCH_FAILED', `mvn dependency:copy-dependencies failed (${signal ?? `exit ${code}`}); is Maven Central reachable?\n${output.trim()}`));
    });
  });
}
