import type { FastifyPluginAsync } from 'fastify';
import type { ClickHouseClient } from '@clickhouse/client';
import type { EventRow } from '@sextant/schemas';
import { buildEventsQuery, type EventsFilter } from '../events/events-query.js';
import { toStoredEvent } from '../events/stored-event.js';
import { requireAdminToken } from './admin-auth.js';
import { errorSchema } from './tracking-route-schemas.js';

const obj = { type: 'object', additionalProperties: true } as const;
const nullableString = { type: ['string', 'null'] } as const;

const storedEventSchema = {
  type: 'object',
  properties: {
    sourceId: { type: 'string' }, messageId: { type: 'string' }, type: { type: 'string' },
    event: nullableString, name: nullableString, anonymousId: nullableString, userId: nullableString,
    groupId: nullableString, previousId: nullableString,
    timestamp: nullableString, originalTimestamp: nullableString, sentAt: nullableString, receivedAt: nullableString,
    ip: { type: 'string' }, userAgent: { type: 'string' },
    device: obj, page: obj, campaign: obj,
    orderId: nullableString, revenue: { type: ['number', 'null'] }, currency: nullableString,
    productIds: { type: 'array', items: { type: 'string' } },
    properties: obj, traits: obj, context: obj,
  },
} as const;

/** Reading stored events back (newest first). */
export const eventsRoutes: FastifyPluginAsync<{ client: ClickHouseClient; jwtSecret: string }> = async (app, { client, jwtSecret }) => {
  requireAdminToken(app, jwtSecret);

  app.get<{ Querystring: EventsFilter }>(
    '/api/events',
    {
      schema: {
        tags: ['admin'],
        summary: 'List stored events, newest first',
        security: [{ bearerAuth: [] }],
        querystring: {
          type: 'object',
          properties: {
            sourceId: { type: 'string', maxLength: 200 },
            anonymousId: { type: 'string', maxLength: 255 },
            userId: { type: 'string', maxLength: 255 },
            event: { type: 'string', maxLength: 200 },
            type: { type: 'string', enum: ['track', 'page', 'screen', 'identify', 'alias', 'group'] },
            since: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { count: { type: 'integer' }, events: { type: 'array', items: storedEventSchema } }, required: ['count', 'events'] },
          '4xx': errorSchema,
        },
      },
    },
    async (request) => {
      const { query, params } = buildEventsQuery(request.query);
      const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
      const events = (await rs.json<EventRow>()).map(toStoredEvent);
      return { count: events.length, events };
    },
  );
};
