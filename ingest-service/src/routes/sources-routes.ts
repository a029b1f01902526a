import type { FastifyPluginAsync } from 'fastify';
import type { SourceRegistry } from '../sources/source-registry.js';
import { requireAdminToken } from './admin-auth.js';
import { errorSchema } from './tracking-route-schemas.js';

const sourceSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    writeKey: { type: 'string' },
    createdAt: { type: 'string' },
  },
  required: ['id', 'name', 'writeKey', 'createdAt'],
} as const;

/** Sources (storefronts) and their write keys. */
export const sourcesRoutes: FastifyPluginAsync<{ sources: SourceRegistry; jwtSecret: string }> = async (app, { sources, jwtSecret }) => {
  requireAdminToken(app, jwtSecret);

  app.post<{ Body: { name: string } }>(
    '/api/sources',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Create a source and its write key',
        security: [{ bearerAuth: [] }],
        body: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
          required: ['name'],
          additionalProperties: false,
        },
        response: { 201: sourceSchema, '4xx': errorSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await sources.create(request.body.name.trim())),
  );

  app.get(
    '/api/sources',
    {
      schema: {
        tags: ['admin'],
        summary: 'List sources',
        security: [{ bearerAuth: [] }],
        response: { 200: { type: 'object', properties: { sources: { type: 'array', items: sourceSchema } }, required: ['sources'] }, '4xx': errorSchema },
      },
    },
    async () => {
      await sources.load();
      return { sources: sources.list() };
    },
  );
};
