/**
 * The demo through the real tracking API: generate the journeys, send them to `POST /v1/batch`, and
 * produce the advertising side (inserted when the caller has the store, e.g. the in-process server of
 * `sextant demo`; written as CSV files with `csvDir`).
 *
 * Speeds: `backfill` sends as fast as the API takes it (history over `days` ending now); a number
 * sends that many events per second in time order; `live` simulates the coming `days` and sends
 * each event when its time comes, so the store looks alive.
 */
import type { Store } from '@sextant/store';
import { insertSideData, writeSideDataCsv } from '../csv/import-side-table.js';
import { createWorld, generateJourneys, sortByTimestamp, type JourneyOptions } from '../journeys/generate-journeys.js';
import type { SimMessage } from '../journeys/sim-message.js';
import { createHttpSender, type SendStats } from '../senders/http-sender.js';
import { createProgress } from './progress.js';
import { AdVisitCounter, buildSideData } from './side-data.js';

export type DemoSpeed = 'backfill' | 'live' | number;

export interface HttpDemoOptions extends JourneyOptions {
  host: string;
  writeKey: string;
  speed?: DemoSpeed;
  concurrency?: number;
  batchSize?: number;
  progress?: boolean;
  /** Write the advertising side as CSV files here. */
  csvDir?: string;
  /** Insert the advertising side into this store, for this source. */
  sideDataStore?: Pick<Store, 'client' | 'insertRaw'>;
  sourceId?: string;
  /** Stops a live or paced run early (what was sent stays sent). */
  signal?: AbortSignal;
}

export interface DemoResult {
  shoppers: number;
  /** Messages the simulation produced in the window. */
  generated: number;
  /** The API's answers: acknowledged (stored), refused per event, given up after retries. */
  sent: number;
  rejected: number;
  failed: number;
  requests: number;
  retries: number;
  problems: string[];
  seconds: number;
  window: { start: string; end: string };
  sideData: { adSpendRows: number; exchangeRateRows: number; affiliateRows: number; inserted?: Record<string, number>; csvFiles?: string[] };
}

export async function runHttpDemo(options: HttpDemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const speed = options.speed ?? 'backfill';
  // Live: the window starts now and the events are sent as their time comes.
  const world = createWorld(speed === 'live' ? { ...options, endMs: (options.endMs ?? Date.now()) + Math.round(options.days * 86_400_000) } : options);
  const counter = new AdVisitCounter(world);
  const progress = createProgress({ total: world.shopperCount, label: speed === 'live' ? 'live' : 'demo', enabled: options.progress ?? false });
  const sender = createHttpSender({
    host: options.host,
    writeKey: options.writeKey,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  let generated = 0;
  let shoppersDone = 0;
  const report = () => progress.update(shoppersDone, { events: sender.stats.sent, rate: sender.stats.sent / Math.max(0.001, (Date.now() - started) / 1000) });

  try {
    if (speed === 'backfill') {
      for (const journey of generateJourneys(world)) {
        counter.add(journey);
        for (const m of journey.messages) await sender.send(m);
        generated += journey.messages.length;
        shoppersDone += 1;
        if (shoppersDone % 25 === 0) report();
      }
    } else {
      const all: SimMessage[] = [];
      for (const journey of generateJourneys(world)) {
        counter.add(journey);
        for (const m of journey.messages) all.push(m);
      }
      generated = all.length;
      shoppersDone = world.shopperCount;
      await sendPaced(sortByTimestamp(all), speed, sender, options.signal, report);
    }
    const stats: SendStats = await sender.close();
    report();
    progress.stop();

    const side = buildSideData(world, counter);
    const sideData: DemoResult['sideData'] = {
      adSpendRows: side.ad_spend.length,
      exchangeRateRows: side.exchange_rates.length,
      affiliateRows: side.affiliates.length,
    };
    if (options.sideDataStore) sideData.inserted = await insertSideData(options.sideDataStore, side, options.sourceId ?? 'src_dev');
    if (options.csvDir) sideData.csvFiles = writeSideDataCsv(options.csvDir, side);
    return {
      shoppers: world.shopperCount,
      generated,
      sent: stats.sent,
      rejected: stats.rejected,
      failed: stats.failed,
      requests: stats.requests,
      retries: stats.retries,
      problems: stats.problems,
      seconds: (Date.now() - started) / 1000,
      window: { start: new Date(world.startMs).toISOString(), end: new Date(world.endMs).toISOString() },
      sideData,
    };
  } finally {
    progress.stop();
  }
}

/** Sends in time order: at `eventsPerSecond`, or (`live`) each message when the clock reaches its timestamp. */
async function sendPaced(
  messages: SimMessage[],
  speed: 'live' | number,
  sender: ReturnType<typeof createHttpSender>,
  signal: AbortSignal | undefined,
  report: () => void,
): Promise<void> {
  const tickMs = 200;
  let next = 0;
  const startedAt = Date.now();
  while (next < messages.length && !signal?.aborted) {
    const now = Date.now();
    // How many messages are due by now.
    let due = next;
    if (speed === 'live') {
      const nowIso = new Date(now).toISOString();
      while (due < messages.length && (messages[due] as SimMessage).timestamp <= nowIso) due += 1;
    } else {
      due = Math.min(messages.length, Math.floor(((now - startedAt) / 1000) * speed) + 1);
    }
    for (; next < due; next++) await sender.send(messages[next] as SimMessage);
    await sender.flush();
    report();
    if (next < messages.length) await sleep(tickMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
