import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toApiGatewayResult, toWebhookRequest } from '#lib/http/api-gateway-event.ts';

const PUBLIC_URL = 'https://api.lianxin.example.org';

function event(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/twilio/sms',
    rawPath: '/webhooks/twilio/sms',
    rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'abc123.execute-api.ap-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: {
        method: 'POST',
        path: '/webhooks/twilio/sms',
        protocol: 'HTTP/1.1',
        sourceIp: '54.0.0.1',
        userAgent: 'TwilioProxy/1.1',
      },
      requestId: 'req-1',
      routeKey: 'POST /webhooks/twilio/sms',
      stage: '$default',
      time: '25/Nov/2026:02:00:00 +0000',
      timeEpoch: 1_795_572_000_000,
    },
    body: 'Body=%E7%AD%BE%E5%88%B0&From=%2B8613800000001',
    isBase64Encoded: false,
    ...overrides,
  };
}

describe('toWebhookRequest', () => {
  it.each([
    ['/webhooks/twilio/sms', '', `${PUBLIC_URL}/webhooks/twilio/sms`],
    ['/webhooks/twilio/sms', 'centre=shimen&x=1', `${PUBLIC_URL}/webhooks/twilio/sms?centre=shimen&x=1`],
    ['/webhooks/twilio/sms', 'q=%E4%BD%A0%20%2B', `${PUBLIC_URL}/webhooks/twilio/sms?q=%E4%BD%A0%20%2B`],
    ['/', '', `${PUBLIC_URL}/`],
  ])('rebuilds the signed URL from PUBLIC_URL + %s + ?%s', (rawPath, rawQueryString, url) => {
    expect(toWebhookRequest(event({ rawPath, rawQueryString }), PUBLIC_URL).url).toBe(url);
  });

  it('uses PUBLIC_URL, not the API Gateway domain or Host header', () => {
    const request = toWebhookRequest(
      event({ headers: { host: 'abc123.execute-api.ap-east-1.amazonaws.com' } }),
      'https://sms.example.cn/prod',
    );
    expect(request.url).toBe('https://sms.example.cn/prod/webhooks/twilio/sms');
  });

  it.each([
    ['签到', false],
    ['签到', true],
    ['From=%2B8613800000001&Body=1+%26+2', false],
    ['From=%2B8613800000001&Body=1+%26+2', true],
    ['😀 第一行\n第二行', true],
  ])('gives the body %j as text (base64-encoded by API Gateway: %s)', (text, base64) => {
    const body = base64 ? Buffer.from(text, 'utf8').toString('base64') : text;
    expect(toWebhookRequest(event({ body, isBase64Encoded: base64 }), PUBLIC_URL).body).toBe(text);
  });

  it('gives an absent body as the empty string', () => {
    expect(toWebhookRequest(event({ body: undefined }), PUBLIC_URL).body).toBe('');
  });

  it('lower-cases header names and keeps their values', () => {
    const request = toWebhookRequest(
      event({
        headers: {
          'X-Twilio-Signature': 'AbC+/=',
          'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
          'user-agent': 'TwilioProxy/1.1',
        },
      }),
      PUBLIC_URL,
    );
    expect(request.headers).toEqual({
      'x-twilio-signature': 'AbC+/=',
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      'user-agent': 'TwilioProxy/1.1',
    });
  });

  it('takes the method from the request context', () => {
    const base = event();
    const get = event({
      requestContext: { ...base.requestContext, http: { ...base.requestContext.http, method: 'GET' } },
    });
    expect(toWebhookRequest(get, PUBLIC_URL).method).toBe('GET');
    expect(toWebhookRequest(base, PUBLIC_URL).method).toBe('POST');
  });
});

describe('toApiGatewayResult', () => {
  it('copies status, headers and body', () => {
    const response = {
      statusCode: 200,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: '<Response/>',
    };
    expect(toApiGatewayResult(response)).toEqual(response);
  });
});
