export { buildApp, MAX_BATCH_BYTES, MAX_EVENT_BYTES, type AppDeps } from './app/build-app.js';
export { startAllInOne, type RunningServer } from './server/start-all-in-one.js';
export { loadConfig, ConfigError } from './config/load-config.js';
export { signAdminToken, verifyAdminToken, type AdminPrincipal } from './auth/admin-token.js';
export { ERROR_CODES, SextantError, type ErrorCode } from './errors.js';
export type { AcceptedEvent, EventQueue, QueuedEvent, BatchHandler } from './queue/event-queue.js';
export { createMessagePipeline, type ProcessedMessages, type RejectedEvent } from './pipeline/process-messages.js';
export type { IngestRequest } from './pipeline/ingest-request.js';
