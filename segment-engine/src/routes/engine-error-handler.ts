import type { FastifyInstance } from 'fastify';
import { EngineError } from '../errors.js';

/**
 * Answers an `EngineError` thrown in the plugin's routes with its status and
 * `{ success: false, error: { code, message, details? } }`; anything else goes on to the app's handler.
 */
export function sendEngineErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof EngineError) {
      return reply.code(error.status).send({ success: false, error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } });
    }
    throw error;
  });
}
