import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Authenticate, Caller } from '#lib/api/auth.ts';
import { openApiDocument } from '#lib/api/openapi.ts';
import {
  type ApiResult,
  json,
  matchRoute,
  parseInput,
  RequestValidationError,
  type Route,
  route,
} from '#lib/api/router.ts';
import { NotFoundError, PayloadTooLargeError, VersionConflictError } from '#lib/errors.ts';
import { errorResponse } from '#lib/http/error-response.ts';
import { observe } from '#lib/observability/lambda-middleware.ts';
import type { Logger } from '#lib/observability/logger.ts';

export interface ApiHandlerOptions {
  routes: Route[];
  authenticate: Authenticate;
  maxBodyBytes: number;
  logger: Logger;
}

const ANONYMOUS: Caller = { subject: 'anonymous', centres: new Set(), admin: false };

/** GET /api/openapi.json: the document of these routes (behind the same token as the rest of /api). */
export function withOpenApi(routes: Route[]): Route[] {
  const doc: Route = route({
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This document',
    response: { contentType: 'application/json', description: 'OpenAPI 3.1' },
    handle: async (): Promise<ApiResult> => json(200, openApiDocument([...routes, doc])),
  });
  return [...routes, doc];
}

/**
 * The coordinators' API Lambda behind API Gateway (HTTP API, payload v2): authenticate, route, size-limit
 * and validate, then the route; any error becomes a JSON answer through the one HTTP mapping.
 */
export function createCoordinatorApiHandler(options: ApiHandlerOptions) {
  const { logger } = options;
  const apiHandler = async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = context.awsRequestId;
    const method = event.requestContext?.http?.method ?? 'GET';
    try {
      return await handle(event, method, options);
    } catch (error) {
      const mapped = errorResponse(error, requestId);
      if (mapped.statusCode >= 500)
        logger.error('api request failed', { requestId, method, error: error as Error });
      else
        logger.warn('api request rejected', {
          requestId,
          method,
          status: mapped.statusCode,
          reason: String(error),
        });
      const body: Record<string, unknown> = { error: mapped.body };
      if (mapped.statusCode >= 500) body.requestId = requestId;
      if (error instanceof RequestValidationError) body.fields = error.fields;
      if (error instanceof VersionConflictError && error.current !== undefined) body.current = error.current;
      const { 'content-type': _, ...headers } = mapped.headers;
      return json(mapped.statusCode, body, headers);
    }
  };
  return middy(apiHandler).use(observe(logger));
}

async function handle(
  event: APIGatewayProxyEventV2,
  method: string,
  options: ApiHandlerOptions,
): Promise<ApiResult> {
  const match = matchRoute(options.routes, method, event.rawPath ?? '/');
  // Every route but a public one needs a valid token, before anything else is said about the path.
  const caller =
    match.kind === 'found' && match.route.auth === 'public' ? ANONYMOUS : await options.authenticate(event);
  if (match.kind === 'none') throw new NotFoundError('no such route');
  if (match.kind === 'method')
    return json(405, { error: 'method not allowed' }, { allow: match.allowed.join(', ') });

  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > (match.route.maxBodyBytes ?? options.maxBodyBytes))
    throw new PayloadTooLargeError(`body of ${bytes.length} bytes`);

  const { route: r, params } = match;
  const query = r.query ? await parseInput(r.query, event.queryStringParameters ?? {}, 'query') : undefined;
  let body: unknown;
  if (r.body) {
    let parsed: unknown;
    if (bytes.length > 0) {
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw new RequestValidationError([{ field: 'body', message: 'must be JSON' }]);
      }
    }
    body = await parseInput(r.body, parsed, 'body');
  }
  return r.handle({ caller, params, query, body, rawBody: r.rawBodyType ? bytes.toString('utf8') : '' });
}
