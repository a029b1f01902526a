import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestKafka, type TestKafka } from '@sextant/infra';
import { makeTempDataDir, readMetrics, removeDataDir, startServerProcess, type ServerProcess } from './fixtures/server-process.js';
import { buildTrackEvents, sendBatch } from './fixtures/tracking-client.js';
import { countStoredMessageIds } from './fixtures/stored-message-ids.js';

let kafka: TestKafka;
const started: ServerProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  kafka = await getTestKafka();
}, 180_000);

afterAll(async () => {
  for (const p of started) await p.kill9().catch(() => undefined);
  await kafka?.stop();
  for (const d of dirs) removeDataDir(d);
}, 60_000);

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lag is 0 on every partition on reads spanning more than one lag-refresh period (5 s). */
async function waitForZeroLag(loaderUrl: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let zeroSince = 0;
  while (Date.now() < deadline) {
    const lags = [...(await readMetrics(loaderUrl)).entries()].filter(([k]) => k.startsWith('sextant_kafka_consumer_lag{'));
    const zero = lags.length > 0 && lags.every(([, v]) => v === 0);
    if (!zero) zeroSince = 0;
    else if (zeroSince === 0) zeroSince = Date.now();
    else if (Date.now() - zeroSince > 6000) return;
    await delay(500);
  }
  throw new Error(`consumer lag did not reach 0 within ${timeoutMs} ms`);
}

describe('loader crash', () => {
  it('kill -9 of the loader mid-stream: after a restart every acknowledged event is stored exactly once', async (ctx) => {
    if (kafka.skipReason) return ctx.skip(kafka.skipReason);
    const env = { KAFKA_BROKERS: kafka.brokers.join(','), SEXTANT_KAFKA_PARTITIONS: '3', SEXTANT_PUBLISH_TIMEOUT_MS: '3000' };
    const ingestDir = makeTempDataDir('sextant-ingest-');
    const loaderDir = makeTempDataDir('sextant-loader-');
    dirs.push(ingestDir, loaderDir);
    const ingest = await startServerProcess({ command: 'ingest', dataDir: ingestDir, env });
    started.push(ingest);
    let loader = await startServerProcess({ command: 'loader', dataDir: loaderDir, env });
    started.push(loader);

    const acked = new Set<string>();
    let sending = true;
    const sender = async () => {
      while (sending) {
        const batch = buildTrackEvents(100);
        const res = await sendBatch(ingest.url, ingest.writeKey, batch);
        if (res.status === 200) for (const e of batch) acked.add(e.messageId as string);
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    await delay(500 + Math.floor(Math.random() * 1000));
    await loader.kill9();
    const ackedAtKill = acked.size;
    await delay(1000);
    loader = await startServerProcess({ command: 'loader', dataDir: loaderDir, port: loader.port, env });
    started.push(loader);
    await delay(1500);
    sending = false;
    await Promise.all(senders);

    await waitForZeroLag(loader.url, 90_000);
    const status = await loader.stop();
    expect(status.code).toBe(0);
    const stored = await countStoredMessageIds(loaderDir);
    const missing = [...acked].filter((id) => !stored.has(id));
    const duplicated = [...stored.entries()].filter(([, n]) => n > 1);
    console.log(`loader crash: ${acked.size} acknowledged (${ackedAtKill} before the kill), ${stored.size} stored, ${missing.length} missing, ${duplicated.length} duplicated`);
    expect(ackedAtKill).toBeGreaterThan(0);
    expect(acked.size).toBeGreaterThan(ackedAtKill);
    expect(missing).toEqual([]);
    expect(duplicated).toEqual([]);
    await ingest.stop();
  }, 240_000);
});
