import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureKafkaJars, jarsMarker, JARS_MARKER_FILE, KAFKA_POM_FILE, kafkaVersion } from './kafka-jars.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('the Kafka pom', () => {
  it('asks for Kafka 4.x with Scala 2.13 and an SLF4J 1.x binding, as a pom-only project', async () => {
    const pom = await readFile(KAFKA_POM_FILE, 'utf8');
    expect(await kafkaVersion()).toMatch(/^4\.\d+\.\d+$/);
    expect(pom).toContain('<packaging>pom</packaging>');
    expect(pom).toContain('<artifactId>kafka_2.13</artifactId>');
    expect(pom).toMatch(/<artifactId>slf4j-simple<\/artifactId>\s*<version>\$\{slf4j\.version\}<\/version>/);
    expect(pom).toContain('<slf4j.version>1.7.36</slf4j.version>');
  });
});

describe('ensureKafkaJars', () => {
  it('reuses a folder whose marker names the same version and pom (no Maven run)', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'sextant-jars-'));
    dirs.push(root);
    // A pom Maven could not resolve: if the cache were missed, mvn would fail the test.
    const pomFile = path.join(root, 'pom.xml');
    await writeFile(pomFile, '<project><properties><kafka.version>4.0.0-does-not-exist</kafka.version></properties></project>');
    const libsDir = path.join(root, '.libs');
    await mkdir(libsDir);
    await writeFile(path.join(libsDir, JARS_MARKER_FILE), await jarsMarker(pomFile));
    expect(await ensureKafkaJars({ libsDir, pomFile })).toBe(libsDir);
  });

  it('names the version and the pom hash in the marker', async () => {
    expect(await jarsMarker(KAFKA_POM_FILE)).toMatch(/^kafka 4\.\d+\.\d+\npom sha256 [0-9a-f]{64}\n$/);
  });
});
