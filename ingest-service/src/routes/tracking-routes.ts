import { createGunzip, createInflate } from 'node:zlib';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { MESSAGE_TYPES, formatClickHouseDateTime64, type MessageType } from '@sextant/schemas';
import { writeKeyFrom } from '../auth/write-key.js';
import { SextantError, errorBody } from '../errors.js';
import type { EventQueue } from '../queue/event-queue.js';
import type { IngestMetrics } from '../metrics/ingest-metrics.js';
import type { SourceLookup } from '../sources/source-lookup.js';
import { parseTrackingBody } from '../pipeline/parse-tracking-body.js';
import { createMessagePipeline, type RejectedEvent } from '../pipeline/process-messages.js';
import type { IngestRequest } from '../pipeline/ingest-request.js';
import { trackingResponseSchemas, trackingBodySchemas } from './tracking-route-schemas.js';

export interface TrackingRoutesOptions {
  queue: EventQueue;
  sources: SourceLookup;
  metrics: IngestMetrics;
  anonymizeIp: boolean;
  /** Segment's limits. */
  maxEventBytes: number;
  maxBatchBytes: number;
}

const SINGLE_TYPES: MessageType[] = ['track', 'page', 'screen', 'identify', 'alias', 'group'];

/**
 * Segment's HTTP Tracking API: POST /v1/batch and one route per message type. Bodies are read raw
 * (any content type: browsers' sendBeacon sends text/plain), optionally gzip/deflate-encoded, and
 * parsed by our own strict parser. A 2xx is sent only once the accepted events are durable.
 *
 * Batches with some invalid events: the valid ones are kept and the answer is 207 listing the
 * rejected ones (index, messageId, code, reason). When no event is valid nothing is stored and the
 * answer is the first event's error status (400 or 413).
 */
export const trackingRoutes: FastifyPluginAsync<TrackingRoutesOptions> = async (app, options) => {
  const pipeline = createMessagePipeline({ maxEventBytes: options.maxEventBytes });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.addHook('preParsing', async (request, _reply, payload) => decodeContentEncoding(request, payload));

  const handle = async (request: FastifyRequest, route: MessageType | 'batch') => {
    const body = parseTrackingBody(request.body as Buffer);
    const writeKey = writeKeyFrom(request.headers.authorization, body);
    if (!writeKey) throw new SextantError('MISSING_WRITE_KEY', 'send the write key as the HTTP Basic username or as "writeKey" in the body');
    const source = await options.sources.byWriteKey(writeKey);
    if (!source) throw new SextantError('INVALID_WRITE_KEY', 'unknown write key');
    // Synchronous, in its own frame: the parsed body is garbage before the request waits for the
    // fsync, instead of living (and being copied by the GC) for the whole request.
    const { accepted, acceptedTypes, rejected } = runPipeline(request, route, body, source.id);
    if (accepted.length > 0) await options.queue.publish(accepted);
    countBy(acceptedTypes, (type, n) => options.metrics.eventsAccepted.inc({ type }, n));
    countBy(rejected.map((r) => r.code), (code, n) => options.metrics.eventsRejected.inc({ code }, n));
    return { accepted: accepted.length, rejected };
  };

  const runPipeline = (request: FastifyRequest, route: MessageType | 'batch', body: Record<string, unknown>, sourceId: string) => {
    const raw = request.body as Buffer;
    const receivedAtMs = Date.now();
    const ingest: IngestRequest = {
      sourceId,
      receivedAtMs,
      receivedAt: formatClickHouseDateTime64(receivedAtMs),
      requestIp: request.ip,
      userAgentHeader: request.headers['user-agent'],
      batchContext: route === 'batch' && isObject(body.context) ? body.context : undefined,
      batchSentAt: typeof body.sentAt === 'string' ? body.sentAt : undefined,
      bodyBytes: raw.length,
      anonymizeIp: options.anonymizeIp,
    };
    const { drafts, rejected: shapeRejected } = route === 'batch' ? batchDrafts(body) : singleDraft(body, route);
    const result = pipeline(
      drafts.map((d) => d.draft),
      ingest,
    );
    // Map pipeline positions back to positions in the request.
    const rejected: RejectedEvent[] = [...shapeRejected, ...result.rejected.map((r) => ({ ...r, index: drafts[r.index]!.index }))].sort(
      (a, b) => a.index - b.index,
    );
    return { accepted: result.accepted, acceptedTypes: result.acceptedTypes, rejected };
  };

  const reply = async (request: FastifyRequest, route: MessageType | 'batch') => {
    const { accepted, rejected } = await handle(request, route);
    if (rejected.length === 0) return { status: 200, body: { success: true } };
    if (accepted === 0) {
      const first = rejected[0]!;
      const single = route !== 'batch';
      const err = new SextantError(first.code, single ? first.message : `no event in the batch was accepted: ${first.message}`, undefined, undefined, single ? first.details : { rejected });
      return { status: err.status, body: errorBody(err) };
    }
    return { status: 207, body: { success: true, accepted, rejected } };
  };

  for (const route of ['batch', ...SINGLE_TYPES] as const) {
    app.post(
      `/v1/${route}`,
      {
        bodyLimit: route === 'batch' ? options.maxBatchBytes : options.maxEventBytes,
        schema: {
          tags: ['tracking'],
          summary: route === 'batch' ? 'Send many messages at once (Segment batch)' : `Send one ${route} message`,
          body: trackingBodySchemas[route],
          response: trackingResponseSchemas,
        },
        // The body schema documents the API; validation is the pipeline's, per event, with reasons.
        validatorCompiler: () => () => true,
      },
      async (request, res) => {
        const started = performance.now();
        const { status, body } = await reply(request, route);
        options.metrics.requestDuration.observe({ route, status: String(status) }, (performance.now() - started) / 1000);
        return res.code(status).send(body);
      },
    );
  }
};

/** One counter update per distinct value rather than one per event (this runs on every request). */
function countBy<T extends string>(values: readonly T[], each: (value: T, count: number) => void): void {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  for (const [v, n] of counts) each(v, n);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

interface IndexedDraft {
  index: number;
  draft: { message: Record<string, unknown>; type: MessageType };
}

function singleDraft(body: Record<string, unknown>, type: MessageType): { drafts: IndexedDraft[]; rejected: RejectedEvent[] } {
  const { writeKey: _ignored, ...message } = body;
  if (message.type !== undefined && message.type !== type) {
    return { drafts: [], rejected: [{ index: 0, code: 'INVALID_EVENT', message: `/type must be "${type}" on /v1/${type}` }] };
  }
  return { drafts: [{ index: 0, draft: { message, type } }], rejected: [] };
}

function batchDrafts(body: Record<string, unknown>): { drafts: IndexedDraft[]; rejected: RejectedEvent[] } {
  const batch = body.batch;
  if (!Array.isArray(batch)) throw new SextantError('INVALID_EVENT', '/batch must be an array of messages');
  if (batch.length === 0) throw new SextantError('EMPTY_BATCH', '/batch is empty');
  const drafts: IndexedDraft[] = [];
  const rejected: RejectedEvent[] = [];
  batch.forEach((message, index) => {
    if (!isObject(message)) {
      rejected.push({ index, code: 'INVALID_EVENT', message: `/batch/${index} must be an object` });
      return;
    }
    const type = MESSAGE_TYPES.find((t) => t === message.type);
    if (!type) {
      rejected.push({ index, code: 'INVALID_EVENT', message: `/batch/${index}/type must be one of ${MESSAGE_TYPES.join(', ')}`, ...(typeof message.messageId === 'string' ? { messageId: message.messageId } : {}) });
      return;
    }
    drafts.push({ index, draft: { message, type } });
  });
  return { drafts, rejected };
}

function decodeContentEncoding(request: FastifyRequest, payload: NodeJS.ReadableStream & { receivedEncodedLength?: number }) {
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === '') return payload;
  if (encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
    throw new SextantError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding}" is not supported; use gzip, deflate or none`);
  }
  const decoder: ReturnType<typeof createGunzip> & { receivedEncodedLength?: number } = encoding === 'deflate' ? createInflate() : createGunzip();
  // Fastify checks Content-Length against this and bodyLimit against the decoded bytes (zip bombs).
  decoder.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => {
    decoder.receivedEncodedLength! += chunk.length;
  });
  payload.on('error', (err) => decoder.destroy(err as Error));
  payload.pipe(decoder);
  return decoder;
}

