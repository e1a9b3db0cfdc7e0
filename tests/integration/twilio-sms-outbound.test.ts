import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  TwilioSmsOutbound,
  type TwilioSmsOutboundOptions,
} from '#lib/channels/twilio-sms/twilio-sms-outbound.ts';
import { SendFailure } from '#lib/ports/channel.ts';
import {
  type FakeResponse,
  type FakeTwilio,
  fakeResponses,
  startFakeTwilio,
} from '#tests/support/fake-twilio-server.ts';

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'fake-twilio-auth-token';
const OUR_NUMBER = '+15005550006';
const SERVICE_SID = `MG${'a'.repeat(32)}`;
const CARER = '+8613800000001';
const CALLBACK = 'https://lianxin.example.org/webhooks/twilio/status';
// Generous, so that a busy machine never turns an ordinary answer into a timeout; the tests of the
// timeout itself use a fake that never answers, with a short one.
const TIMEOUT_MS = 10_000;
const SHORT_TIMEOUT_MS = 200;

let fake: FakeTwilio;

beforeAll(async () => {
  fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
});
afterAll(() => fake.close());
afterEach(() => fake.reset());

const channel = (overrides: Partial<TwilioSmsOutboundOptions> = {}) =>
  new TwilioSmsOutbound({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    from: OUR_NUMBER,
    timeoutMs: TIMEOUT_MS,
    apiBaseUrl: fake.baseUrl,
    ...overrides,
  });

async function failureOf(promise: Promise<unknown>): Promise<SendFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendFailure);
  return error as SendFailure;
}

describe('TwilioSmsOutbound over real HTTP to the fake Messages API', () => {
  it('creates the message and returns its SID; Twilio sees To, From, Body, StatusCallback and our Basic auth', async () => {
    const result = await channel().send(CARER, '小明这周好吗？回复 1-5', { statusCallbackUrl: CALLBACK });

    expect(result.providerId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(fake.requests).toEqual([
      {
        to: CARER,
        from: OUR_NUMBER,
        messagingServiceSid: undefined,
        body: '小明这周好吗？回复 1-5',
        statusCallback: CALLBACK,
        authorised: true,
        answeredWith: 201,
        sid: result.providerId,
      },
    ]);
  });

  it('sends from a Messaging Service when `from` is an MG SID, and omits StatusCallback when none is given', async () => {
    await channel({ from: SERVICE_SID }).send(CARER, 'hello');

    expect(fake.requests[0]).toMatchObject({ from: undefined, messagingServiceSid: SERVICE_SID });
    expect(fake.requests[0]?.statusCallback).toBeUndefined();
  });

  it('a wrong auth token is refused by the fake (401, 20003) and is rejected, not retried', async () => {
    const failure = await failureOf(channel({ authToken: 'not-the-token' }).send(CARER, 'hi'));

    expect(failure).toMatchObject({ kind: 'rejected', providerCode: 20003 });
    expect(fake.requests).toMatchObject([{ authorised: false, answeredWith: 401 }]);
  });

  const answers: [string, SendFailure['kind'], number, FakeResponse][] = [
    ['400 / 21211 invalid number', 'invalid-address', 21211, fakeResponses.invalidNumber],
    ['400 / 21614 not a mobile number', 'invalid-address', 21614, fakeResponses.notMobile],
    ['400 / 21610 unsubscribed', 'opted-out', 21610, fakeResponses.unsubscribed],
    ['429 / 20429 rate limited', 'retryable', 20429, fakeResponses.rateLimited],
    ['500 / 20500 server error', 'retryable', 20500, fakeResponses.serverError],
    [
      '400 / 21617 body too long',
      'rejected',
      21617,
      { status: 400, body: { code: 21617, message: 'too long' } },
    ],
  ];

  it.each(answers)('%s → %s, after exactly one request', async (_, kind, code, response) => {
    fake.respondFor(CARER, response);

    const failure = await failureOf(channel().send(CARER, 'hi', { statusCallbackUrl: CALLBACK }));

    expect(failure).toMatchObject({ kind, providerCode: code });
    expect(failure.message).toContain(String(code));
    expect(failure.message).not.toContain(CARER);
    // The channel never retries: the worker owns retries and their backoff.
    expect(fake.requests).toHaveLength(1);
  });

  it('a 503 with a non-JSON body is still retryable', async () => {
    fake.failNext(1, { status: 503 });

    expect(await failureOf(channel().send(CARER, 'hi'))).toMatchObject({ kind: 'retryable' });
  });

  it.each([
    ['502', fakeResponses.badGateway],
    ['504', fakeResponses.gatewayTimeout],
  ])('a %s → unknown-outcome (Twilio may have sent it), after exactly one request', async (_, response) => {
    fake.failNext(1, response);

    const failure = await failureOf(channel().send(CARER, 'hi', { statusCallbackUrl: CALLBACK }));

    expect(failure).toMatchObject({ kind: 'unknown-outcome', providerCode: undefined });
    expect(fake.requests).toHaveLength(1);
  });

  it('a 201 without a message SID → unknown-outcome: Twilio took something, so never resend blindly', async () => {
    fake.failNext(1, { status: 201, body: { status: 'queued' } });

    const failure = await failureOf(channel().send(CARER, 'hi'));

    expect(failure.kind).toBe('unknown-outcome');
    expect(fake.requests).toHaveLength(1);
  });

  it('sends one after another on one kept-alive connection, each its own message', async () => {
    const ours = channel();
    const results = [];
    for (const text of ['one', 'two', 'three']) results.push(await ours.send(CARER, text));

    expect(new Set(results.map((r) => r.providerId)).size).toBe(3);
    expect(fake.requests.map((r) => [r.body, r.answeredWith])).toEqual([
      ['one', 201],
      ['two', 201],
      ['three', 201],
    ]);
  });

  it('a scripted failure applies to the next send only', async () => {
    fake.failNext(1, fakeResponses.rateLimited);
    const ours = channel();

    await expect(failureOf(ours.send(CARER, 'one'))).resolves.toMatchObject({ kind: 'retryable' });
    await expect(ours.send(CARER, 'two')).resolves.toEqual({ providerId: expect.stringMatching(/^SM/) });
    expect(fake.requests.map((r) => r.answeredWith)).toEqual([429, 201]);
  });

  it('connection refused (nothing listening) → retryable: the request never left', async () => {
    const closed = await listen(createServer());
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const failure = await failureOf(channel({ apiBaseUrl: `http://127.0.0.1:${port}` }).send(CARER, 'hi'));

    expect(failure).toMatchObject({ kind: 'retryable', providerCode: undefined });
    expect(failure.message).toContain('ECONNREFUSED');
  });

  it('no answer within timeoutMs → unknown-outcome, and Twilio did create the message', async () => {
    // The fake never answers: only the client's own timeout can end this send.
    fake.failNext(1, fakeResponses.noAnswer);

    const failure = await failureOf(channel({ timeoutMs: SHORT_TIMEOUT_MS }).send(CARER, 'hi'));

    expect(failure.kind).toBe('unknown-outcome');
    // Why the worker must not resend blindly: the message exists on Twilio's side.
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.sid).toMatch(/^SM/);
  });

  it('an answer slower than usual but within timeoutMs succeeds', async () => {
    fake.latencyMs = 300; // well within the channel's timeout, however busy the machine

    const result = await channel().send(CARER, 'hi');

    expect(result.providerId).toBe(fake.requests[0]?.sid);
  });

  it('a connection reset after the request arrived → unknown-outcome', async () => {
    fake.failNext(1, fakeResponses.hangUp);

    const failure = await failureOf(channel().send(CARER, 'hi'));

    expect(failure.kind).toBe('unknown-outcome');
    expect(fake.requests).toMatchObject([{ to: CARER, body: 'hi' }]);
  });
});

describe('fake.fireStatus', () => {
  let receiver: Server;
  let received: { url: string; signature: string | undefined; params: Record<string, string> }[] = [];
  let receiverUrl: string;

  beforeAll(async () => {
    receiver = await listen(
      createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        const url = `${receiverUrl.split('/webhooks')[0]}${req.url}`;
        const signature = req.headers['x-twilio-signature'] as string | undefined;
        received.push({ url, signature, params });
        const valid = signature !== undefined && validateRequest(AUTH_TOKEN, signature, url, params);
        res.writeHead(valid ? 204 : 403).end();
      }),
    );
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/twilio/status?m=abc`;
  });
  afterAll(() => new Promise((resolve) => receiver.close(resolve)));
  afterEach(() => {
    received = [];
  });

  it('posts a correctly signed status callback, as Twilio does, to the message StatusCallback', async () => {
    const { providerId } = await channel().send(CARER, 'hi', { statusCallbackUrl: receiverUrl });

    expect(await fake.fireStatus(providerId, 'delivered')).toBe(204);

    expect(received).toHaveLength(1);
    const [callback] = received;
    expect(callback?.url).toBe(receiverUrl);
    expect(callback?.params).toEqual({
      SmsSid: providerId,
      SmsStatus: 'delivered',
      MessageStatus: 'delivered',
      To: CARER,
      MessageSid: providerId,
      AccountSid: ACCOUNT_SID,
      From: OUR_NUMBER,
      ApiVersion: '2010-04-01',
    });
    // The signature is tied to the token, the exact URL and the parameters.
    const signature = callback?.signature ?? '';
    expect(validateRequest('another-token', signature, receiverUrl, callback?.params ?? {})).toBe(false);
    expect(
      validateRequest(AUTH_TOKEN, signature, receiverUrl.replace('m=abc', 'm=abd'), callback?.params ?? {}),
    ).toBe(false);
  });

  it('includes ErrorCode when given, and reaches the message even after the client timed out', async () => {
    fake.failNext(1, fakeResponses.noAnswer);
    await failureOf(
      channel({ timeoutMs: SHORT_TIMEOUT_MS }).send(CARER, 'hi', { statusCallbackUrl: receiverUrl }),
    );
    const sid = fake.requests[0]?.sid ?? '';

    expect(await fake.fireStatus(sid, 'undelivered', { errorCode: 30007 })).toBe(204);

    expect(received[0]?.params).toMatchObject({
      MessageSid: sid,
      MessageStatus: 'undelivered',
      ErrorCode: '30007',
    });
  });

  it('refuses an unknown SID', async () => {
    await expect(fake.fireStatus(`SM${'0'.repeat(32)}`, 'sent')).rejects.toThrow(/no message/);
  });
});

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
