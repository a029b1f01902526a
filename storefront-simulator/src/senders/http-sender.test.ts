import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateMessages } from '../journeys/generate-journeys.js';
import { createHttpSender, HttpSendError } from './http-sender.js';
import { smallSimulation } from '../../test/fixtures/simulation.js';

type Handler = (body: { batch: unknown[]; sentAt: string }, req: IncomingMessage, res: ServerResponse) => void;

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A stand-in for the tracking API on 127.0.0.1 that answers as `handler` says. */
async function fakeApi(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => handler(JSON.parse(text), req, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const messages = generateMessages(smallSimulation({ shoppers: 20 }));

describe('createHttpSender', () => {
  it('posts batches with Basic auth of the write key and counts what was acknowledged', async () => {
    const seen: string[] = [];
    let auth = '';
    const host = await fakeApi((body, req, res) => {
      auth = req.headers.authorization ?? '';
      expect(typeof body.sentAt).toBe('string');
      for (const m of body.batch as { messageId: string }[]) seen.push(m.messageId);
      reply(res, 200, { success: true });
    });
    const sender = createHttpSender({ host, writeKey: 'wk_test', batchSize: 50 });
    for (const m of messages) await sender.send(m);
    const stats = await sender.close();
    expect(auth).toBe(`Basic ${Buffer.from('wk_test:').toString('base64')}`);
    expect(stats).toMatchObject({ sent: messages.length, rejected: 0, failed: 0, requests: Math.ceil(messages.length / 50) });
    expect(seen.sort()).toEqual(messages.map((m) => m.messageId).sort());
  });

  it('retries a 503 after Retry-After, and counts the events once', async () => {
    let calls = 0;
    const host = await fakeApi((body, _req, res) => {
      calls += 1;
      if (calls <= 2) return reply(res, 503, { success: false, error: { code: 'QUEUE_FULL' } }, { 'retry-after': '0' });
      reply(res, 200, { success: true });
    });
    const sender = createHttpSender({ host, writeKey: 'k', batchSize: 1000, concurrency: 1 });
    for (const m of messages.slice(0, 10)) await sender.send(m);
    expect(await sender.close()).toMatchObject({ sent: 10, failed: 0, retries: 2, requests: 3 });
  });

  it('counts per-event rejections of a 207 and whole-batch 400s as rejected', async () => {
    let calls = 0;
    const host = await fakeApi((body, _req, res) => {
      calls += 1;
      if (calls === 1) return reply(res, 207, { success: true, accepted: body.batch.length - 1, rejected: [{ index: 0, code: 'INVALID_EVENT', message: 'bad' }] });
      reply(res, 400, { success: false, error: { code: 'INVALID_EVENT', message: 'all bad' } });
    });
    const sender = createHttpSender({ host, writeKey: 'k', batchSize: 5, concurrency: 1 });
    for (const m of messages.slice(0, 10)) await sender.send(m);
    const stats = await sender.close();
    expect(stats).toMatchObject({ sent: 4, rejected: 6, failed: 0 });
    expect(stats.problems.join('\n')).toMatch(/INVALID_EVENT/);
  });

  it('gives up after the retries when nothing answers, and counts the events as failed', async () => {
    const sender = createHttpSender({ host: 'http://127.0.0.1:9', writeKey: 'k', maxRetries: 1, maxBackoffMs: 10 });
    for (const m of messages.slice(0, 3)) await sender.send(m);
    expect(await sender.close()).toMatchObject({ sent: 0, failed: 3, retries: 1 });
  });

  it('stops with a clear error when the write key is refused', async () => {
    const host = await fakeApi((_b, _r, res) => reply(res, 401, { success: false, error: { code: 'INVALID_WRITE_KEY' } }));
    const sender = createHttpSender({ host, writeKey: 'nope' });
    await sender.send(messages[0]!);
    await expect(sender.close()).rejects.toThrow(HttpSendError);
  });
});
