import { randomUUID } from 'node:crypto';
import { commerceColumns, EVENT_ROW_COLUMNS, eventRowValues, formatClickHouseDateTime64, idString, type EventRow } from '@sextant/schemas';
import type { AcceptedEvent } from '../../queue/event-queue.js';
import { correctTimestamp, detectBot, extractCampaign, parsePageContext, parseUserAgent, resolveClientIp } from '../enrich/index.js';
import type { EventDraft, IngestRequest } from '../ingest-request.js';
import { ok, reject, type StepResult } from '../step-result.js';

type Json = Record<string, unknown>;

// The JSON columns go into the line as objects, not as JSON text inside a JSON string: serialised
// once instead of twice. The loader inserts with input_format_json_read_objects_as_strings=1, so
// ClickHouse stores each object's text, byte for byte, in its String column.
const PROPERTIES = EVENT_ROW_COLUMNS.indexOf('properties');
const TRAITS = EVENT_ROW_COLUMNS.indexOf('traits');
const CONTEXT = EVENT_ROW_COLUMNS.indexOf('context');

const MIN_TIME_MS = Date.UTC(1900, 0, 1);
const MAX_TIME_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

/**
 * Normalises ids, enriches (server timestamps, IP, user agent, campaign and click ids, bot flag) and
 * serialises the ClickHouse row once, as the JSONCompactEachRow line the loader inserts unchanged
 * (with its JSON columns as objects: see PROPERTIES below).
 */
export function createBuildEventRowStep() {
  return (draft: EventDraft, request: IngestRequest): StepResult<AcceptedEvent> => {
    const m = draft.message;
    const own = asObject(m.context);
    // Copy only when a batch-level context has to be merged in (the hot path has none).
    const context: Json = request.batchContext ? { ...request.batchContext, ...(own ?? {}) } : (own ?? {});
    const messageId = idString(m.messageId) || randomUUID();
    const anonymousId = idString(m.anonymousId);
    const userId = idString(m.userId);
    const times = correctTimestamp({
      timestamp: asString(m.timestamp),
      originalTimestamp: asString(m.originalTimestamp),
      sentAt: asString(m.sentAt) ?? request.batchSentAt,
      receivedAtMs: request.receivedAtMs,
    });
    // ClickHouse's DateTime64 spans 1900-2299; outside it the value would be silently clamped.
    for (const [field, ms] of [['timestamp', times.timestampMs], ['originalTimestamp', times.originalTimestampMs], ['sentAt', times.sentAtMs]] as const) {
      if (ms !== null && (ms < MIN_TIME_MS || ms > MAX_TIME_MS)) return reject('INVALID_EVENT', `/${field} must be between 1900 and 2299`);
    }
    const userAgent = asString(context.userAgent) ?? request.userAgentHeader ?? '';
    const ua = parseUserAgent(userAgent);
    const campaign = extractCampaign(context);
    const page = parsePageContext(context);
    const ip = resolveClientIp({ contextIp: context.ip, requestIp: request.requestIp, anonymize: request.anonymizeIp });
    const properties = asObject(m.properties) ?? {};
    const traits = asObject(m.traits) ?? asObject(context.traits) ?? {};
    const row: EventRow = {
      source_id: request.sourceId,
      message_id: messageId,
      type: draft.type,
      event: draft.type === 'track' ? (asString(m.event) ?? '') : '',
      name: asString(m.name) ?? '',
      anonymous_id: anonymousId,
      user_id: userId,
      group_id: idString(m.groupId),
      previous_id: idString(m.previousId),
      timestamp: times.timestampMs === request.receivedAtMs ? request.receivedAt : formatClickHouseDateTime64(times.timestampMs),
      original_timestamp: times.originalTimestampMs === null ? null : formatClickHouseDateTime64(times.originalTimestampMs),
      sent_at: times.sentAtMs === null ? null : formatClickHouseDateTime64(times.sentAtMs),
      received_at: request.receivedAt,
      ip,
      user_agent: userAgent.slice(0, 1000),
      browser: ua.browser,
      browser_version: ua.browserVersion,
      os: ua.os,
      os_version: ua.osVersion,
      device_type: ua.deviceType,
      is_bot: detectBot(userAgent),
      page_url: page.url,
      page_path: page.path,
      page_referrer: page.referrer,
      utm_source: campaign.utmSource,
      utm_medium: campaign.utmMedium,
      utm_campaign: campaign.utmCampaign,
      utm_term: campaign.utmTerm,
      utm_content: campaign.utmContent,
      fbclid: campaign.fbclid,
      gclid: campaign.gclid,
      ttclid: campaign.ttclid,
      msclkid: campaign.msclkid,
      ...commerceColumns(properties),
      properties: '',
      traits: '',
      context: '',
    };
    const values = eventRowValues(row);
    values[PROPERTIES] = properties;
    values[TRAITS] = traits;
    values[CONTEXT] = context;
    return ok({
      dedupKey: `${request.sourceId}:${messageId}`,
      partitionKey: userId || anonymousId || messageId,
      rowText: JSON.stringify(values) + '\n',
    });
  };
}

function asObject(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
