import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Where each domestic provider's pushes come from, as API Gateway would record them. */
const SOURCES = {
  'aliyun-sms': { sourceIp: '106.11.0.1', userAgent: 'aliyun' },
  'tencent-sms': { sourceIp: '119.29.0.1', userAgent: 'tencent' },
} as const;

/** A domestic SMS provider's JSON push to `path`, as API Gateway (HTTP API, v2) hands it on at `at`. */
export function domesticSmsEvent(
  provider: keyof typeof SOURCES,
  path: string,
  body: string,
  at: Date,
): APIGatewayProxyEventV2 {
  const routeKey = `POST /webhooks/${provider}/{kind}/{secret}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'lianxin.example.org' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'lianxin.example.org',
      domainPrefix: 'lianxin',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', ...SOURCES[provider] },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: at.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}
