// The OpenAPI 3.1 document of the coordinators' API, generated from the routes' zod schemas
// (zod 4's z.toJSONSchema, JSON Schema 2020-12 as OpenAPI 3.1 uses).
import type { Route } from '#lib/api/router.ts';
import { errorView } from '#lib/api/schemas.ts';
import * as z from '#lib/zod.ts';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function openApiDocument(routes: Route[], serverUrl?: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = Object.entries(r.pathParams).map(([name, description]) => ({
      name,
      in: 'path',
      required: true,
      description,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const query = schemaOf(r.query, 'input') as {
        properties?: Record<string, JsonSchema>;
        required?: string[];
      };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        parameters.push({
          name,
          in: 'query',
          required: query.required?.includes(name) ?? false,
          ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
          schema,
        });
      }
    }
    const operation: Record<string, unknown> = {
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(r.body, 'input') } },
            },
          }
        : r.rawBodyType
          ? { requestBody: { required: true, content: { [r.rawBodyType]: { schema: { type: 'string' } } } } }
          : {}),
      responses: {
        200: {
          description: r.response.description,
          content: {
            [r.response.contentType]: {
              schema: r.response.schema ? schemaOf(r.response.schema, 'output') : {},
            },
          },
        },
        400: errorResponse('Invalid input: every failing field is listed'),
        ...(r.auth === 'public' ? {} : { 401: errorResponse('No valid token') }),
        404: errorResponse("Not found, or not one of the caller's centres"),
        ...(r.body || r.rawBodyType ? { 413: errorResponse('Request body too large') } : {}),
        ...(r.method === 'POST' ? { 409: errorResponse('Not in a state that allows this') } : {}),
      },
      ...(r.auth === 'public' ? { security: [] } : {}),
    };
    paths[r.path] = { ...paths[r.path], [r.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'lianxin (连心) coordinators API',
      version: '1',
      description:
        "Centre-scoped: a token's `custom:centres` claim (comma-separated centre ids) lists what the caller may see and act on; anything else is 404.",
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: schemaOf(errorView, 'output') },
    },
    paths,
  };
}
