import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toWebhookRequest } from '#lib/http/api-gateway-event.ts';
import { lambdaContext, toApiGatewayEvent, writeResult } from '#lib/local/lambda-adapter.ts';

const ROUTE = 'POST /webhooks/twilio/sms';

/** Just the parts of an IncomingMessage the adapter reads. */
function incoming(options: {
  url?: string;
  method?: string;
  headers?: Record<string, string | string[] | undefined>;
  remoteAddress?: string;
}): IncomingMessage {
  return {
    url: options.url ?? '/webhooks/twilio/sms',
    method: options.method ?? 'POST',
    headers: options.headers ?? {},
    httpVersion: '1.1',
    socket: { remoteAddress: options.remoteAddress ?? '::1' },
  } as unknown as IncomingMessage;
}

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

describe('toApiGatewayEvent', () => {
  it('keeps a form body as text', () => {
    const body = 'From=%2B8613800000001&Body=%E7%AD%BE%E5%88%B0';
    const event = toApiGatewayEvent(
      incoming({ headers: { 'content-type': FORM } }),
      Buffer.from(body),
      ROUTE,
    );
    expect(event.body).toBe(body);
    expect(event.isBase64Encoded).toBe(false);
  });

  it.each(['text/plain; charset=utf-8', 'application/json', 'application/xml', 'text/xml'])(
    'keeps a %s body as text',
    (contentType) => {
      const event = toApiGatewayEvent(
        incoming({ headers: { 'content-type': contentType } }),
        Buffer.from('签到 <x/>'),
        ROUTE,
      );
      expect([event.body, event.isBase64Encoded]).toEqual(['签到 <x/>', false]);
    },
  );

  it.each([
    ['application/octet-stream', Buffer.from([0, 1, 2, 0xfe, 0xff])],
    ['application/octet-stream', Buffer.from('签到', 'utf8')],
    ['image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47])],
    [undefined, Buffer.from('no content type')],
  ])('base64-encodes a %s body', (contentType, bytes) => {
    const headers = contentType ? { 'content-type': contentType } : {};
    const event = toApiGatewayEvent(incoming({ headers }), bytes, ROUTE);
    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(bytes.toString('base64'));
    expect(Buffer.from(event.body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('has no body and is not base64 when the request is empty', () => {
    const event = toApiGatewayEvent(
      incoming({ headers: { 'content-type': 'application/octet-stream' } }),
      Buffer.alloc(0),
      ROUTE,
    );
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
  });

  it.each([
    ['/webhooks/twilio/sms', '/webhooks/twilio/sms', '', undefined],
    [
      '/webhooks/twilio/sms?centre=shimen&x=1',
      '/webhooks/twilio/sms',
      'centre=shimen&x=1',
      { centre: 'shimen', x: '1' },
    ],
    ['/dev/outbox?to=%2B8613800000001', '/dev/outbox', 'to=%2B8613800000001', { to: '+8613800000001' }],
    ['/', '/', '', undefined],
  ])('splits %s into rawPath and rawQueryString', (url, rawPath, rawQueryString, query) => {
    const event = toApiGatewayEvent(incoming({ url, method: 'GET' }), Buffer.alloc(0), 'GET /x');
    expect(event.rawPath).toBe(rawPath);
    expect(event.rawQueryString).toBe(rawQueryString);
    expect(event.queryStringParameters).toEqual(query);
    expect(event.requestContext.http.path).toBe(rawPath);
  });

  it('lower-cases header names, joins repeated headers and fills the request context', () => {
    const event = toApiGatewayEvent(
      incoming({
        method: 'POST',
        headers: {
          'Content-Type': FORM,
          'X-Twilio-Signature': 'sig=',
          host: 'localhost:3000',
          'user-agent': 'TwilioProxy/1.1',
          'x-forwarded-for': ['10.0.0.1', '10.0.0.2'],
          'x-missing': undefined,
        },
        remoteAddress: '127.0.0.9',
      }),
      Buffer.from('Body=1'),
      ROUTE,
    );
    expect(event.headers).toEqual({
      'content-type': FORM,
      'x-twilio-signature': 'sig=',
      host: 'localhost:3000',
      'user-agent': 'TwilioProxy/1.1',
      'x-forwarded-for': '10.0.0.1,10.0.0.2',
    });
    expect(event.body).toBe('Body=1');
    expect(event.routeKey).toBe(ROUTE);
    expect(event.requestContext).toMatchObject({
      routeKey: ROUTE,
      domainName: 'localhost:3000',
      stage: '$default',
      http: { method: 'POST', protocol: 'HTTP/1.1', sourceIp: '127.0.0.9', userAgent: 'TwilioProxy/1.1' },
    });
  });

  it('gives each request its own request id', () => {
    const a = toApiGatewayEvent(incoming({}), Buffer.alloc(0), ROUTE);
    const b = toApiGatewayEvent(incoming({}), Buffer.alloc(0), ROUTE);
    expect(a.requestContext.requestId).not.toBe(b.requestContext.requestId);
  });

  it.each([
    ['application/x-www-form-urlencoded', 'From=%2B8613800000001&Body=1+%26+2'],
    ['application/octet-stream', 'From=%2B8613800000001&Body=%E7%AD%BE%E5%88%B0'],
  ])('round-trips a %s body through toWebhookRequest', (contentType, body) => {
    const event = toApiGatewayEvent(
      incoming({ url: '/webhooks/twilio/sms?a=1', headers: { 'content-type': contentType } }),
      Buffer.from(body),
      ROUTE,
    );
    const request = toWebhookRequest(event, 'http://localhost:3000');
    expect(request.body).toBe(body);
    expect(request.url).toBe('http://localhost:3000/webhooks/twilio/sms?a=1');
  });
});

/** A ServerResponse that records what was written. */
function recorder() {
  const written: { status?: number; headers?: Record<string, string>; body?: Buffer | string } = {};
  const res = {
    writeHead(status: number, headers: Record<string, string>) {
      written.status = status;
      written.headers = headers;
      return this;
    },
    end(body: Buffer | string) {
      written.body = body;
      return this;
    },
  } as unknown as ServerResponse;
  return { res, written };
}

describe('writeResult', () => {
  it('writes status, headers and a text body', () => {
    const { res, written } = recorder();
    writeResult(res, {
      statusCode: 200,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: '<Response><Message>谢谢</Message></Response>',
    });
    expect(written).toEqual({
      status: 200,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: '<Response><Message>谢谢</Message></Response>',
    });
  });

  it('decodes a base64 body to bytes', () => {
    const bytes = Buffer.from([0, 1, 0xfe, 0xff]);
    const { res, written } = recorder();
    writeResult(res, { statusCode: 201, body: bytes.toString('base64'), isBase64Encoded: true });
    expect(written.status).toBe(201);
    expect(Buffer.isBuffer(written.body) && written.body.equals(bytes)).toBe(true);
  });

  it.each<[APIGatewayProxyStructuredResultV2, number, string]>([
    [{}, 200, ''],
    [{ statusCode: 204 }, 204, ''],
    [{ statusCode: 500, body: 'internal error (request r1)' }, 500, 'internal error (request r1)'],
  ])('defaults a missing status to 200 and a missing body to empty (%j)', (result, status, body) => {
    const { res, written } = recorder();
    writeResult(res, result);
    expect([written.status, written.body]).toEqual([status, body]);
  });
});

describe('lambdaContext', () => {
  it('names the function and the request', () => {
    const context = lambdaContext('twilio-sms-webhook', 'req-42');
    expect(context.functionName).toBe('twilio-sms-webhook');
    expect(context.awsRequestId).toBe('req-42');
    expect(context.invokedFunctionArn).toBe('arn:aws:lambda:local:000000000000:function:twilio-sms-webhook');
    const remaining = context.getRemainingTimeInMillis();
    expect(remaining).toBeGreaterThan(29_000);
    expect(remaining).toBeLessThanOrEqual(30_000);
  });
});
