import type { FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';

/**
 * Request bodies that zod validates in the handler (400 `INVALID_DEFINITION` with each issue's path),
 * documented in OpenAPI from the same zod schema.
 *
 * The JSON Schema goes in the route's `schema.body`, where @fastify/swagger reads it, and the route's
 * `validatorCompiler` is `documentationOnly`, so Fastify's ajv never rejects, coerces or fills defaults
 * into a body before zod sees it (ajv would answer its own 400 without our paths, and two validators
 * could disagree). Preferred to an OpenAPI-only key because it needs nothing from the swagger setup of
 * the app that mounts these routes, and the schema sits where Fastify tooling expects it. The compiler
 * applies to every part of the route: use it only on routes whose params and querystring need no check.
 */
export function documentedBody(schema: z.ZodType): Record<string, unknown> {
  // `io: 'input'`: fields with a default are optional in a request.
  return z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Accepts everything: the schemas of the route are documentation (see `documentedBody`). */
export const documentationOnly: FastifySchemaCompiler<unknown> = () => () => true;

/**
 * A response object documented by its top-level fields; `additionalProperties: true` so the serializer
 * never drops a field the console or a client reads that the documentation does not list.
 */
export function looseObject(properties: Record<string, unknown> = {}, description?: string): Record<string, unknown> {
  return { type: 'object', ...(description ? { description } : {}), properties, additionalProperties: true };
}

/** The error body of every route: `{ success: false, error: { code, message, details? } }`. */
export const errorResponse = looseObject({
  success: { type: 'boolean' },
  error: looseObject({ code: { type: 'string' }, message: { type: 'string' }, details: {} }),
}, 'error (400 INVALID_DEFINITION: `error.details.issues` lists each `path` and `message`)');
