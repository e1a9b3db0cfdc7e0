import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Config } from '#lib/config/core.ts';
import { wechatInboundSettings } from '#lib/config/wechat.ts';
import { type HttpApiHandler, lambdaContext } from '#lib/local/lambda-adapter.ts';
import { signedWechatPost, verificationUrl, type WechatKeys } from '#lib/local/wechat-inbound-request.ts';

export const WECHAT_PATH = '/webhooks/wechat';

export function wechatKeys(config: Config, safe: boolean): WechatKeys {
  const s = wechatInboundSettings(config);
  return { token: s.token, appId: s.appId, encodingAesKey: safe ? s.encodingAesKey : undefined };
}

/** The API Gateway v2 event for a request to the WeChat webhook at this full URL. */
export function wechatEvent(method: 'GET' | 'POST', url: string, body?: string): APIGatewayProxyEventV2 {
  const u = new URL(url);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${method} ${WECHAT_PATH}`,
    rawPath: u.pathname,
    rawQueryString: u.search.replace(/^\?/, ''),
    headers: { host: u.host, 'content-type': 'text/xml', 'user-agent': 'Mozilla/4.0' },
    queryStringParameters: Object.fromEntries(u.searchParams),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: u.host,
      domainPrefix: 'api',
      http: {
        method,
        path: u.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '101.226.0.1',
        userAgent: 'Mozilla/4.0',
      },
      requestId: randomUUID(),
      routeKey: `${method} ${WECHAT_PATH}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body,
    isBase64Encoded: false,
  };
}

/** POSTs a message as WeChat would (safe mode when the keys carry an EncodingAESKey). */
export function postEvent(
  config: Config,
  keys: WechatKeys,
  xml: string,
  openId: string,
): APIGatewayProxyEventV2 {
  const post = signedWechatPost(`${config.PUBLIC_URL}${WECHAT_PATH}`, keys, xml, openId);
  return wechatEvent('POST', post.url, post.body);
}

export function verifyEvent(config: Config, keys: WechatKeys, echostr: string): APIGatewayProxyEventV2 {
  return wechatEvent('GET', verificationUrl(`${config.PUBLIC_URL}${WECHAT_PATH}`, keys, echostr));
}

export async function invokeWechat(handler: HttpApiHandler, event: APIGatewayProxyEventV2) {
  return (await handler(
    event,
    lambdaContext('wechat-webhook', randomUUID()),
  )) as APIGatewayProxyStructuredResultV2;
}
