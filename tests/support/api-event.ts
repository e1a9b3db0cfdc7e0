import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type HttpApiHandler, lambdaContext } from '#lib/local/lambda-adapter.ts';

/** Calls a coordinators' API handler with the event API Gateway (HTTP API, v2) would give it. */
export async function invokeApi(
  api: HttpApiHandler,
  pathAndQuery: string,
  options: { method: string; headers: Record<string, string>; body?: string | undefined },
): Promise<APIGatewayProxyStructuredResultV2> {
  const url = new URL(pathAndQuery, 'http://localhost');
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: 'ANY /api/{proxy+}',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: options.headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: options.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: randomUUID(),
      routeKey: 'ANY /api/{proxy+}',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body: options.body,
    isBase64Encoded: false,
  };
  return (await api(
    event,
    lambdaContext('coordinator-api', randomUUID()),
  )) as APIGatewayProxyStructuredResultV2;
}
