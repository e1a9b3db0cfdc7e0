import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LocalOutbox } from '#lib/channels/local-outbox.ts';
import {
  type HttpApiHandler,
  lambdaContext,
  toApiGatewayEvent,
  writeResult,
} from '#lib/local/lambda-adapter.ts';
import { LOCAL_EXPORT_PATH, type LocalExportFiles } from '#lib/local/local-export-files.ts';
import { webFile } from '#lib/local/web-static.ts';

export interface LocalRoute {
  method: string;
  path: string;
  functionName: string;
  handler: HttpApiHandler;
  /** The route takes every path under `path` (which then ends with /), as API Gateway's `{proxy+}`. */
  prefix?: boolean;
  /** The largest body taken (default MAX_BODY_BYTES); larger is answered 413. */
  maxBodyBytes?: number;
}

/** A local-only helper (no Lambda behind it), answering JSON: e.g. issuing a WeChat link code. */
export interface DevRoute {
  method: string;
  path: string;
  /** One line for the index page. */
  description: string;
  handle(url: URL, body: Buffer): Promise<{ status: number; json: unknown }>;
}

export interface LocalServerOptions {
  port: number;
  routes: LocalRoute[];
  outbox: LocalOutbox;
  devRoutes?: DevRoute[] | undefined;
  /** The built console (web/dist), served at `/`; without it `/` lists the routes. */
  webDist?: string | undefined;
  /** Exports too large for a response, downloaded from GET /dev/exports/<token>. */
  exportFiles?: LocalExportFiles | undefined;
}

export const MAX_BODY_BYTES = 64 * 1024;
/**
 * The domestic SMS providers' pushes: Alibaba Cloud batches up to a thousand replies (about 200 bytes
 * each with a short Chinese reply, some 200 KB), and a push may hold up to MAX_PUSH_ITEMS; API Gateway
 * takes up to 10 MB. Locally 4 MiB holds the largest push the handler accepts with room to spare.
 */
export const PROVIDER_PUSH_MAX_BYTES = 4 * 1024 * 1024;

/**
 * API Gateway on one machine: each request becomes the HTTP API v2 event the deployed Lambda
 * would get, and goes to the same exported handler.
 */
export async function startLocalServer(
  options: LocalServerOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    route(req, res, options).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`local server error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { server, port };
}

async function route(req: IncomingMessage, res: ServerResponse, options: LocalServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  // One path may take several methods (GET and POST /webhooks/wechat), each its own route.
  const onPath = options.routes.filter((r) =>
    r.prefix ? url.pathname.startsWith(r.path) : r.path === url.pathname,
  );
  const limit = Math.max(MAX_BODY_BYTES, ...onPath.map((r) => r.maxBodyBytes ?? MAX_BODY_BYTES));
  const body = await readBody(req, limit);
  if (body === undefined) {
    return send(res, 413, 'text/plain', `request body too large (at most ${limit} bytes)`);
  }

  if (onPath.length > 0) {
    const match = onPath.find((r) => r.method === req.method);
    if (!match) return send(res, 405, 'text/plain', `use ${onPath.map((r) => r.method).join(' or ')}`);
    const event = toApiGatewayEvent(
      req,
      body,
      `${match.method} ${match.path}${match.prefix ? '{proxy+}' : ''}`,
    );
    const requestId = event.requestContext.requestId ?? randomUUID();
    return writeResult(res, await match.handler(event, lambdaContext(match.functionName, requestId)));
  }
  if (req.method === 'GET' && options.exportFiles && url.pathname.startsWith(LOCAL_EXPORT_PATH)) {
    const file = await options.exportFiles.open(url.pathname.slice(LOCAL_EXPORT_PATH.length));
    if (file.status !== 200) return send(res, file.status, 'text/plain; charset=utf-8', file.reason);
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${file.name}"`,
      'cache-control': 'no-store',
    });
    res.end(file.body);
    return;
  }
  const dev = options.devRoutes?.find((r) => r.path === url.pathname && r.method === req.method);
  if (dev) {
    const { status, json } = await dev.handle(url, body);
    return send(res, status, 'application/json', JSON.stringify(json));
  }
  if (req.method === 'GET' && url.pathname === '/dev/outbox') {
    const since = Number(url.searchParams.get('since') ?? 0) || 0;
    return send(res, 200, 'application/json', JSON.stringify({ messages: options.outbox.list(since) }));
  }
  if (req.method === 'GET' && options.webDist && !url.pathname.startsWith('/dev/')) {
    const file = await webFile(options.webDist, url.pathname);
    if (file) {
      res.writeHead(file.status, file.headers);
      res.end(file.body);
      return;
    }
  }
  if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/dev/')) {
    const lines = [
      'lianxin (连心) running locally',
      '',
      ...options.routes.map((r) => `${r.method} ${r.path}${r.prefix ? '…' : ''}`),
      'GET /dev/outbox?since=N  (what the local channel sent)',
      ...(options.devRoutes ?? []).map((r) => `${r.method} ${r.path}  (${r.description})`),
      '',
      'Chat as a carer: npm run chat -- --as +8613800000001',
    ];
    return send(res, 200, 'text/plain; charset=utf-8', `${lines.join('\n')}\n`);
  }
  return send(res, 404, 'text/plain', 'not found');
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType });
  res.end(body);
}

/**
 * The body, or undefined when it is larger than `limit`. The rest of a larger body is read and
 * dropped rather than the connection cut, so the client gets its 413 instead of a reset.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
