import type { FastifyError, FastifyInstance } from 'fastify';
import { SextantError, errorBody } from '../errors.js';
import { QueueFullError } from '../queue/queue-full-error.js';

/**
 * Turns every failure into `{ success: false, error: { code, message, details? } }` with the right
 * status: our own errors keep their code, Fastify's are translated, anything else is a logged 500.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const err = toSextantError(error, request.url);
    if (err instanceof QueueFullError) reply.header('Retry-After', String(err.retryAfterSeconds));
    else if (err.status === 503) reply.header('Retry-After', '5');
    if (err.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(err.status).send(errorBody(err));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(new SextantError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`))),
  );
}

function toSextantError(error: FastifyError, url: string): SextantError {
  if (error instanceof SextantError) return error;
  if (error.validation) {
    return new SextantError('VALIDATION_FAILED', error.message, undefined, undefined, { errors: error.validation });
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return url.startsWith('/v1/batch')
      ? new SextantError('BATCH_TOO_LARGE', 'the batch is larger than 500 KB; send smaller batches')
      : url.startsWith('/v1/')
        ? new SextantError('EVENT_TOO_LARGE', 'the event is larger than 32 KB')
        : new SextantError('BAD_REQUEST', 'the request body is too large', 413);
  }
  const zlibCode = (error as { code?: string }).code ?? '';
  if (zlibCode.startsWith('Z_') || /incorrect header check|unexpected end of file/i.test(error.message)) {
    return new SextantError('INVALID_COMPRESSION', 'the request body could not be decompressed');
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new SextantError('UNSUPPORTED_MEDIA_TYPE', error.message);
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new SextantError('BAD_REQUEST', error.message, error.statusCode);
  }
  if (!(error instanceof SextantError) && isQueueWriteFailure(error)) {
    return new SextantError('QUEUE_UNAVAILABLE', 'events cannot be made durable right now; retry later');
  }
  return new SextantError('INTERNAL', 'internal error');
}

function isQueueWriteFailure(error: Error): boolean {
  return /queue log/i.test(error.message) || ['ENOSPC', 'EIO', 'EROFS'].includes((error as NodeJS.ErrnoException).code ?? '');
}
