import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminTokenFromCli,
  makeTempDataDir,
  readMetric,
  removeDataDir,
  startServerProcess,
  waitForQueueDrained,
  type ServerProcess,
} from './fixtures/server-process.js';
import {
  buildTrackEvents,
  fetchEvents,
  sendBatch,
  sendMessage,
  type SendResult,
  type TrackingMessage,
} from './fixtures/tracking-client.js';
import { countStoredMessageIds } from './fixtures/stored-message-ids.js';

/**
 * The acknowledgement contract under a crash: a 2xx means the event is durable, so after `kill -9`
 * and a restart on the same data dir every acknowledged event is stored, and stored once, also when
 * clients send it again. Unacknowledged events may or may not be stored (never twice).
 */

const ROUNDS = 2;
const SENDERS = 6;

let dataDir: string;
let server: ServerProcess | undefined;

beforeAll(() => {
  dataDir = makeTempDataDir('sextant-durability-');
});

afterAll(async () => {
  await server?.kill9().catch(() => undefined);
  removeDataDir(dataDir);
});

interface SentRequest {
  userId: string;
  events: TrackingMessage[];
  result: SendResult;
  /** When the answer (or the network error) came back. */
  doneAt: number;
}

interface Load {
  /** Stops the senders and waits (bounded) for their requests in flight to settle. */
  stop(): Promise<SentRequest[]>;
}

const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Several concurrent senders in a loop: mostly `/v1/batch` with 50–200 events, every fifth request a
 * single `/v1/track`. Each request has its own userId, so its events can be read back by userId.
 * A sender stops at its first request that got no answer (the server is gone).
 */
function startLoad(baseUrl: string, writeKey: string, round: number): Load {
  let stopped = false;
  const sent: SentRequest[] = [];
  const sender = async (s: number) => {
    for (let i = 0; !stopped; i++) {
      const userId = `durability-r${round}-s${s}-q${i}`;
      const single = i % 5 === 4;
      const events = buildTrackEvents(single ? 1 : randomInt(50, 200), {
        userId,
        event: single ? 'Order Completed' : 'Product Viewed',
        properties: { round, sender: s, request: i, order_id: `o-${round}-${s}-${i}`, revenue: 10.5, currency: 'EUR' },
      });
      const result = single ? await sendMessage(baseUrl, writeKey, events[0]!) : await sendBatch(baseUrl, writeKey, events);
      sent.push({ userId, events, result, doneAt: Date.now() });
      if (result.status === 0) return;
      if (result.status === 503) await delay(100);
    }
  };
  const senders = Array.from({ length: SENDERS }, (_, s) => sender(s));
  return {
    stop: async () => {
      stopped = true;
      const settled = await Promise.race([Promise.all(senders).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20_000).unref())]);
      if (!settled) throw new Error('load senders did not settle within 20 s');
      return sent;
    },
  };
}

/** The events a request's answer acknowledged: all of them on 200 (every event sent is valid). */
function acknowledgedEvents(req: SentRequest): TrackingMessage[] {
  return req.result.status === 200 ? req.events : [];
}

describe('durability', () => {
  it('acknowledged events survive kill -9', { timeout: 90_000 }, async () => {
    const started = Date.now();
    server = await startServerProcess({ dataDir });
    const { writeKey } = server;
    const token = await adminTokenFromCli({ jwtSecret: server.jwtSecret, dataDir });
    const ackedById = new Map<string, TrackingMessage>();
    const ackedRequests: SentRequest[] = [];
    let resentTotal = 0;

    for (let round = 1; round <= ROUNDS; round++) {
      // Load, then kill -9 at a random moment in the middle of it.
      const load = startLoad(server.url, writeKey, round);
      const killAfterMs = randomInt(200, 1500);
      await delay(killAfterMs);
      const killedAt = Date.now();
      const exit = await server.kill9();
      expect(exit.signal, server.output()).toBe('SIGKILL');
      const sent = await load.stop();

      // Every answer is a success or back-pressure; a request that got no answer failed because of
      // the kill, not before it.
      const statuses = sent.map((r) => r.result.status);
      const unexpected = sent.filter((r) => ![0, 200, 503].includes(r.result.status)).map((r) => r.result);
      expect(unexpected, 'answers other than 200/503').toEqual([]);
      const failedBeforeKill = sent.filter((r) => r.result.status === 0 && r.doneAt < killedAt).map((r) => r.result.error);
      expect(failedBeforeKill, 'requests that got no answer before the kill').toEqual([]);
      const acked = sent.filter((r) => acknowledgedEvents(r).length > 0);
      expect(acked.length, `round ${round}: no request was acknowledged in ${killAfterMs} ms of load`).toBeGreaterThan(0);
      ackedRequests.push(...acked);
      for (const r of acked) for (const e of acknowledgedEvents(r)) ackedById.set(e.messageId, e);
      console.info(
        `round ${round}: killed after ${killAfterMs} ms; ${sent.length} requests (${statuses.filter((s) => s === 200).length} acknowledged, ` +
          `${statuses.filter((s) => s === 0).length} unanswered, ${statuses.filter((s) => s === 503).length} 503); ${ackedById.size} acknowledged events so far`,
      );

      // Restart on the same data dir and let it load what its queue log holds.
      server = await startServerProcess({ dataDir });
      await waitForQueueDrained(server.url, 30_000);

      // Resend acknowledged requests, as a client retrying after a lost answer would: a few whole
      // requests of this round and of earlier rounds (stored before an earlier restart).
      const resend = pickResendSlice(ackedRequests, round);
      for (const r of resend) {
        const before = await fetchEvents(server.url, token, { userId: r.userId });
        expect(idCounts(before), `stored before resend (${r.userId})`).toEqual(idCounts(acknowledgedEvents(r)));
      }
      const dedupBefore = await readMetric(server.url, 'sextant_events_deduplicated_total');
      const resendEvents = resend.flatMap(acknowledgedEvents);
      for (let i = 0; i < resendEvents.length; i += 100) {
        const res = await sendBatch(server.url, writeKey, resendEvents.slice(i, i + 100));
        expect(res.status, JSON.stringify(res.body)).toBe(200);
      }
      // A single message resent through /v1/track too.
      const single = resendEvents[0]!;
      expect((await sendMessage(server.url, writeKey, single)).status).toBe(200);
      await waitForQueueDrained(server.url, 30_000);
      const dedupAfter = await readMetric(server.url, 'sextant_events_deduplicated_total');
      expect(dedupAfter - dedupBefore, 'every resent event is recognised as already stored').toBe(resendEvents.length + 1);
      for (const r of resend) {
        const after = await fetchEvents(server.url, token, { userId: r.userId });
        expect(idCounts(after), `stored after resend (${r.userId})`).toEqual(idCounts(acknowledgedEvents(r)));
      }
      resentTotal += resendEvents.length + 1;
    }

    // Graceful stop, then count what is on disk with chDB directly, not through the server.
    const stopped = await server.stop(30_000);
    expect(stopped, server.output()).toEqual({ code: 0, signal: null });
    const counts = await countStoredMessageIds(dataDir);

    const missing = [...ackedById.keys()].filter((id) => !counts.has(id));
    const duplicated = [...counts].filter(([, n]) => n > 1);
    console.info(
      `${ackedById.size} acknowledged events, ${counts.size} distinct stored, ${missing.length} missing, ` +
        `${duplicated.length} duplicated, ${resentTotal} resent; ${Date.now() - started} ms`,
    );
    expect(missing.length, `acknowledged but not stored, e.g. ${missing.slice(0, 5).join(', ')}`).toBe(0);
    expect(duplicated.slice(0, 10), 'messageIds stored more than once').toEqual([]);
    expect(counts.size).toBeGreaterThanOrEqual(ackedById.size);
  });
});

/** messageId → how many times, for comparing stored events with sent ones. */
function idCounts(events: { messageId: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.messageId] = (counts[e.messageId] ?? 0) + 1;
  return counts;
}

/** Up to 3 acknowledged requests of this round and 2 of earlier ones. */
function pickResendSlice(acked: SentRequest[], round: number): SentRequest[] {
  const thisRound = acked.filter((r) => r.userId.startsWith(`durability-r${round}-`));
  const earlier = acked.filter((r) => !r.userId.startsWith(`durability-r${round}-`));
  const pick = (from: SentRequest[], n: number) => from.filter((_, i) => i % Math.max(1, Math.floor(from.length / n)) === 0).slice(0, n);
  return [...pick(thisRound, 3), ...pick(earlier, 2)];
}
