// A small typed router for the coordinators' API: each route declares its method, path (with {params}),
// and zod schemas for its query and body; the same declarations generate the OpenAPI document.
import type { Caller } from '#lib/api/auth.ts';
import { ValidationError } from '#lib/errors.ts';
import type * as z from '#lib/zod.ts';

export interface ApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface RouteInput<Q, B> {
  caller: Caller;
  params: Record<string, string>;
  query: Q;
  body: B;
  /** The request body as text (for routes without a JSON body, e.g. a CSV upload). */
  rawBody: string;
}

export interface RouteSpec<Q extends z.ZodMiniType, B extends z.ZodMiniType> {
  method: 'GET' | 'POST';
  /** e.g. `/api/tasks/{id}/acknowledge` */
  path: string;
  summary: string;
  /** Declared for the OpenAPI document. */
  pathParams?: Record<string, string>;
  query?: Q;
  body?: B;
  /** Content type and schema of the 200 response, for the OpenAPI document. */
  response: { contentType: string; schema?: z.ZodMiniType; description: string };
  /** `public`: no token needed. Default: a coordinator's token. */
  auth?: 'public' | 'coordinator';
  /** A larger body limit than the API's (an upload). */
  maxBodyBytes?: number;
  /** Content type of a body that is not JSON (the OpenAPI document names it). */
  rawBodyType?: string;
  handle(input: RouteInput<z.output<Q>, z.output<B>>): Promise<ApiResult>;
}

/** A route with its types erased, as the router holds it. */
export interface Route {
  method: 'GET' | 'POST';
  path: string;
  summary: string;
  pathParams: Record<string, string>;
  query: z.ZodMiniType | undefined;
  body: z.ZodMiniType | undefined;
  response: RouteSpec<z.ZodMiniType, z.ZodMiniType>['response'];
  auth: 'public' | 'coordinator';
  maxBodyBytes: number | undefined;
  rawBodyType: string | undefined;
  segments: string[];
  handle(input: RouteInput<unknown, unknown>): Promise<ApiResult>;
}

export function route<
  Q extends z.ZodMiniType = z.ZodMiniUndefined,
  B extends z.ZodMiniType = z.ZodMiniUndefined,
>(spec: RouteSpec<Q, B>): Route {
  return {
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    pathParams: spec.pathParams ?? {},
    query: spec.query,
    body: spec.body,
    response: spec.response,
    auth: spec.auth ?? 'coordinator',
    maxBodyBytes: spec.maxBodyBytes,
    rawBodyType: spec.rawBodyType,
    segments: spec.path.split('/').filter(Boolean),
    handle: spec.handle as Route['handle'],
  };
}

/** A 400 that lists every field that failed, safe to show. */
export class RequestValidationError extends ValidationError {
  override readonly name: string = 'RequestValidationError';
  readonly fields: { field: string; message: string }[];
  constructor(fields: { field: string; message: string }[]) {
    super(`invalid request: ${fields.map((f) => f.field).join(', ')}`);
    this.fields = fields;
  }
}

/** Asynchronous, as some fields load what checks them on first use (lib/api/schemas.ts `mobilePhone`). */
export async function parseInput<S extends z.ZodMiniType>(
  schema: S,
  value: unknown,
  where: string,
): Promise<z.output<S>> {
  const parsed = await schema.safeParseAsync(value);
  if (parsed.success) return parsed.data;
  throw new RequestValidationError(
    parsed.error.issues.map((i) => ({
      field: [where, ...i.path.map(String)].join('.'),
      message: i.message,
    })),
  );
}

export type Match =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method'; allowed: string[] }
  | { kind: 'none' };

export function matchRoute(routes: Route[], method: string, path: string): Match {
  const segments = path.split('/').filter(Boolean);
  const allowed: string[] = [];
  for (const r of routes) {
    const params = matchSegments(r.segments, segments);
    if (!params) continue;
    if (r.method === method) return { kind: 'found', route: r, params };
    allowed.push(r.method);
  }
  return allowed.length > 0 ? { kind: 'method', allowed } : { kind: 'none' };
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, p] of pattern.entries()) {
    const a = actual[i] ?? '';
    const param = /^\{(\w+)\}$/.exec(p);
    if (param?.[1]) {
      try {
        params[param[1]] = decodeURIComponent(a);
      } catch {
        return undefined;
      }
    } else if (p !== a) return undefined;
  }
  return params;
}

export const json = (
  statusCode: number,
  value: unknown,
  headers: Record<string, string> = {},
): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(value),
});
