// A local stand-in for Twilio's Messages API, reached over real HTTP by the channel's own client (see
// TwilioSmsOutbound's apiBaseUrl), that can also call our status webhook back as Twilio would.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SegmentedMessage } from 'sms-segments-calculator';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { TwilioSmsOutbound } from '#lib/channels/twilio-sms/twilio-sms-outbound.ts';
import { type Config, twilioAuthToken } from '#lib/config/core.ts';

/**
 * How the fake answers one request. With no `status` it creates the message and answers 201 with
 * its resource; `delayMs` holds the answer back (the message is created at once all the same);
 * `hangUp` reads the request, then destroys the connection without answering; `noAnswer` creates the
 * message and holds the answer back for good.
 */
export interface FakeResponse {
  status?: number;
  body?: Record<string, unknown>;
  delayMs?: number;
  hangUp?: boolean;
  /** Creates the message and never answers (until reset or close): only the client's timeout ends it. */
  noAnswer?: boolean;
}

const twilioError = (status: number, code: number, message: string): FakeResponse => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

/** Twilio's own answers for the failures the send worker must tell apart. */
export const fakeResponses = {
  invalidNumber: twilioError(400, 21211, "The 'To' number is not a valid phone number."),
  notMobile: twilioError(400, 21614, "'To' number is not a valid mobile number"),
  unsubscribed: twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'),
  rateLimited: twilioError(429, 20429, 'Too Many Requests'),
  serverError: twilioError(500, 20500, 'An internal server error has occurred'),
  /** A gateway's answer (an HTML page, no Twilio code), which may come after Twilio sent the message. */
  badGateway: { status: 502 } as FakeResponse,
  gatewayTimeout: { status: 504 } as FakeResponse,
  /** Creates the message but answers only after `ms`. */
  slow: (ms: number): FakeResponse => ({ delayMs: ms }),
  /** Creates the message and never answers: whatever the client's timeout, an unknown outcome. */
  noAnswer: { noAnswer: true } as FakeResponse,
  /** Receives the request, then resets the connection. */
  hangUp: { hangUp: true } as FakeResponse,
} as const;

export interface FakeRequest {
  to: string | undefined;
  from: string | undefined;
  messagingServiceSid: string | undefined;
  body: string | undefined;
  statusCallback: string | undefined;
  /** Basic auth was this account's SID and auth token. */
  authorised: boolean;
  /** The status the fake answered (or will answer, when delayed); 0 for a hang-up or no answer. */
  answeredWith: number;
  /** Set when the fake created a message for this request. */
  sid?: string;
}

export interface FakeTwilio {
  readonly baseUrl: string;
  /** Every request, in arrival order. */
  readonly requests: FakeRequest[];
  /** A fixed delay before every answer (for the bench). */
  latencyMs: number;
  /** The next `n` requests get `response`, whoever they are to. */
  failNext(n: number, response: FakeResponse): void;
  /** Every request to `to` gets `response` (until reset). */
  respondFor(to: string, response: FakeResponse): void;
  /** Forgets the script, the requests and the latency. */
  reset(): void;
  /** Posts a signed status callback for a created message to its StatusCallback; returns the HTTP status. */
  fireStatus(sid: string, status: string, options?: { errorCode?: number }): Promise<number>;
  close(): Promise<void>;
}

const API_VERSION = '2010-04-01';
const DEFAULT_FROM = '+15005550006';
const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

export async function startFakeTwilio(options: {
  accountSid: string;
  authToken: string;
}): Promise<FakeTwilio> {
  const { accountSid, authToken } = options;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const requests: FakeRequest[] = [];
  let queued: FakeResponse[] = [];
  let byRecipient = new Map<string, FakeResponse>();
  const timers = new Set<NodeJS.Timeout>();
  /** Answers held back by `noAnswer`, ended (unanswered) by reset and close. */
  const held = new Set<ServerResponse>();

  const answer = (res: ServerResponse, status: number, body: unknown, delayMs: number) => {
    const write = () => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (delayMs <= 0) return write();
    const timer = setTimeout(() => {
      timers.delete(timer);
      write();
    }, delayMs);
    timers.add(timer);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const pathAccount = MESSAGES_PATH.exec(path)?.[1];
    const record: FakeRequest = {
      to: form.get('To') ?? undefined,
      from: form.get('From') ?? undefined,
      messagingServiceSid: form.get('MessagingServiceSid') ?? undefined,
      body: form.get('Body') ?? undefined,
      statusCallback: form.get('StatusCallback') ?? undefined,
      authorised: req.headers.authorization === expectedAuth,
      answeredWith: 0,
    };
    requests.push(record);
    const delayMs = fake.latencyMs;

    if (req.method !== 'POST' || pathAccount === undefined) {
      record.answeredWith = 404;
      return answer(res, 404, twilioError(404, 20404, 'The requested resource was not found').body, delayMs);
    }
    if (!record.authorised) {
      record.answeredWith = 401;
      return answer(res, 401, twilioError(401, 20003, 'Authenticate').body, delayMs);
    }
    if (pathAccount !== accountSid) {
      record.answeredWith = 404;
      return answer(res, 404, twilioError(404, 20404, 'The requested resource was not found').body, delayMs);
    }

    const scripted = queued.shift() ?? (record.to === undefined ? undefined : byRecipient.get(record.to));
    if (scripted?.hangUp) {
      req.socket.destroy();
      return;
    }
    if (scripted?.status !== undefined) {
      record.answeredWith = scripted.status;
      return answer(res, scripted.status, scripted.body ?? {}, delayMs + (scripted.delayMs ?? 0));
    }
    record.sid = `SM${randomBytes(16).toString('hex')}`;
    if (scripted?.noAnswer) {
      held.add(res);
      res.once('close', () => held.delete(res));
      return;
    }
    record.answeredWith = 201;
    answer(res, 201, messageResource(record, record.sid), delayMs + (scripted?.delayMs ?? 0));
  };

  const messageResource = (r: FakeRequest, sid: string) => {
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return {
      account_sid: accountSid,
      api_version: API_VERSION,
      body: r.body ?? '',
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: r.from ?? null,
      messaging_service_sid: r.messagingServiceSid ?? null,
      num_media: '0',
      num_segments: String(new SegmentedMessage(r.body ?? '').segmentsCount),
      price: null,
      price_unit: 'USD',
      sid,
      // With only a Messaging Service, Twilio answers `accepted` until it picks a sender.
      status: r.from === undefined ? 'accepted' : 'queued',
      subresource_uris: { media: `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to: r.to,
      uri: `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`,
    };
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeTwilio = {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    latencyMs: 0,
    failNext(n, response) {
      for (let i = 0; i < n; i++) queued.push(response);
    },
    respondFor(to, response) {
      byRecipient.set(to, response);
    },
    reset() {
      for (const res of held) res.destroy();
      held.clear();
      requests.length = 0;
      queued = [];
      byRecipient = new Map();
      fake.latencyMs = 0;
    },
    async fireStatus(sid, status, { errorCode } = {}) {
      const message = requests.find((r) => r.sid === sid);
      if (!message) throw new Error(`fake Twilio: no message ${sid}`);
      if (!message.statusCallback) throw new Error(`fake Twilio: message ${sid} has no StatusCallback`);
      // The parameters (and their order) of a real SMS status callback.
      const params: Record<string, string> = {
        ...(errorCode === undefined ? {} : { ErrorCode: String(errorCode) }),
        SmsSid: sid,
        SmsStatus: status,
        MessageStatus: status,
        To: message.to ?? '',
        ...(message.messagingServiceSid ? { MessagingServiceSid: message.messagingServiceSid } : {}),
        MessageSid: sid,
        AccountSid: accountSid,
        From: message.from ?? DEFAULT_FROM,
        ApiVersion: API_VERSION,
      };
      const response = await fetch(message.statusCallback, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'x-twilio-signature': getExpectedTwilioSignature(authToken, message.statusCallback, params),
          'i-twilio-idempotency-token': randomBytes(16).toString('hex'),
          'user-agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
      });
      await response.arrayBuffer();
      return response.status;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const res of held) res.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
  return fake;
}

/** The real Twilio channel, sending over HTTP to this fake (in-process or off-thread) with the config's account. */
export function smsChannelTo(
  fake: Pick<FakeTwilio, 'baseUrl'>,
  config: Config,
  options: { timeoutMs?: number } = {},
): TwilioSmsOutbound {
  return new TwilioSmsOutbound({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: twilioAuthToken(config),
    from: config.TWILIO_PHONE_NUMBER,
    apiBaseUrl: fake.baseUrl,
    ...options,
  });
}
