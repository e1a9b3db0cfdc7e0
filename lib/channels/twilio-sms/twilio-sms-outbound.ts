// Twilio's Messages API (POST /2010-04-01/Accounts/{sid}/Messages.json), called directly over Node's
// own http(s) with a keep-alive agent: the send path needs one request, and the whole `twilio` package
// (3.3 MB minified, ~300 ms of every cold start) carried nothing else it used. The webhook side keeps
// twilio's 5 KB signature helpers (twilio-sms-inbound.ts).
import { NEVER_CONNECTED, ProviderHttps } from '#lib/channels/provider-https.ts';
import { maskPhonesIn } from '#lib/observability/mask.ts';
import { type OutboundChannel, SendFailure, type SendOptions, type SendResult } from '#lib/ports/channel.ts';

export interface TwilioSmsOutboundOptions {
  accountSid: string;
  authToken: string;
  /** Our sending number (E.164), or a Messaging Service SID (MG + 32 hex). */
  from: string;
  /** Whole-request timeout; past it the outcome is unknown. Default 10 s. */
  timeoutMs?: number;
  /** Send to this origin instead of https://api.twilio.com (the fake Twilio server in tests). */
  apiBaseUrl?: string;
}

const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const TWILIO_API = 'https://api.twilio.com';

/** Twilio answered with a status other than 2xx: its HTTP status and, when the body says, its code. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioApiError';
  }
}

/** What Twilio's error body (`{ code, message, more_info, status }`) or a gateway's page means. */
export function twilioApiError(status: number, text: string): TwilioApiError {
  let body: { code?: unknown; message?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // A proxy's HTML page: the status alone speaks.
  }
  const code = typeof body?.code === 'number' ? body.code : undefined;
  const message = typeof body?.message === 'string' ? body.message : `HTTP ${status}`;
  return new TwilioApiError(status, code, message);
}

export class TwilioSmsOutbound implements OutboundChannel {
  readonly name = 'sms' as const;
  private readonly path: string;
  private readonly authorization: string;
  private readonly sender: Record<string, string>;
  private readonly http: ProviderHttps;

  constructor(options: TwilioSmsOutboundOptions) {
    const origin = new URL(options.apiBaseUrl ?? TWILIO_API);
    this.path = `/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
    this.authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
    this.sender = MESSAGING_SERVICE_SID.test(options.from)
      ? { MessagingServiceSid: options.from }
      : { From: options.from };
    this.http = new ProviderHttps(
      origin.host,
      origin.protocol === 'https:' ? 'https' : 'http',
      options.timeoutMs ?? 10_000,
    );
  }

  async send(to: string, body: string, options: SendOptions = {}): Promise<SendResult> {
    // No retry here, ever: the send worker owns retries, with backoff, attempts and a DLQ.
    const form = new URLSearchParams({
      To: to,
      Body: body,
      ...this.sender,
      ...(options.statusCallbackUrl ? { StatusCallback: options.statusCallbackUrl } : {}),
    }).toString();
    let answer: { status: number; text: string };
    try {
      answer = await this.http.request({
        method: 'POST',
        path: this.path,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'user-agent': 'lianxin',
        },
        body: form,
      });
    } catch (error) {
      throw classifyTwilioError(error);
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw classifyTwilioError(twilioApiError(answer.status, answer.text));
    }
    let sid: unknown;
    try {
      sid = (JSON.parse(answer.text) as { sid?: unknown }).sid;
    } catch {
      sid = undefined;
    }
    // Twilio took it (2xx) but the answer is unreadable: it may have been sent, so never resend blindly.
    if (typeof sid !== 'string' || sid === '') {
      throw new SendFailure('unknown-outcome', `Twilio answered ${answer.status} without a message SID`);
    }
    return { providerId: sid };
  }
}

interface ErrorShape {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  syscall?: unknown;
  cause?: unknown;
}

/**
 * What a failed Messages API request means for the send worker. Pure: looks only at the error.
 *
 * Twilio answered (a TwilioApiError: numeric `status`, Twilio `code`):
 * - 21610 (recipient unsubscribed) → opted-out;
 * - 21211 (invalid To), 21614 (To is not a mobile number) → invalid-address. 21612 ("cannot be
 *   sent with the current combination of To and From") is NOT treated as the contact's fault: it
 *   is usually our sender (a number or service that cannot reach that country/carrier), and marking
 *   every carer's number invalid for a sender misconfiguration would be wrong → rejected;
 * - 429 (20429), 500 and 503 (and any other 5xx) → retryable: Twilio did not take the message;
 * - 502 (Bad Gateway) and 504 (Gateway Timeout) → unknown-outcome: a proxy in front of Twilio
 *   answered, possibly after Twilio accepted and sent the message, so a resend could send the same
 *   SMS twice; a later status callback settles it;
 * - any other status → rejected.
 *
 * No answer (a network error with a Node `code`):
 * - no connection was ever made (ECONNREFUSED, ENOTFOUND, EAI_AGAIN, ENETUNREACH, EHOSTUNREACH, a
 *   TCP connect ETIMEDOUT) → retryable;
 * - ECONNRESET/EPIPE (the connection broke before an answer) or our timeout once connected (ECONNABORTED)
 *   → unknown-outcome: the request may have been received and the message sent, so the worker must
 *   not resend blindly. This holds even on a reused keep-alive socket: Node calls that race safe to
 *   retry only for idempotent requests, and a POST that creates a message is not (a server that
 *   reads the request and then resets a reused socket looks exactly the same to the client);
 * - anything unrecognised → unknown-outcome, for the same reason.
 */
export function classifyTwilioError(error: unknown): SendFailure {
  const e: ErrorShape = typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
  const text = maskPhonesIn(typeof e.message === 'string' ? e.message : String(error));
  const cause = { cause: error };

  if (typeof e.status === 'number') {
    const status = e.status;
    const code = typeof e.code === 'number' ? e.code : undefined;
    const message = `Twilio answered ${status}${code === undefined ? '' : ` (${code})`}: ${text}`;
    const fail = (kind: SendFailure['kind']) => new SendFailure(kind, message, code, cause);
    if (code === 21610) return fail('opted-out');
    if (code === 21211 || code === 21614) return fail('invalid-address');
    // Checked before the 5xx rule: a gateway error says nothing about whether Twilio sent it.
    if (status === 502 || status === 504) return fail('unknown-outcome');
    if (status === 429 || code === 20429 || status >= 500) return fail('retryable');
    return fail('rejected');
  }

  const code = typeof e.code === 'string' ? e.code : undefined;
  const syscall = e.syscall ?? (e.cause as ErrorShape | undefined)?.syscall;
  const message = `no answer from Twilio (${code ?? 'unrecognised error'}): ${text}`;
  const fail = (kind: SendFailure['kind']) => new SendFailure(kind, message, undefined, cause);
  if (code !== undefined && NEVER_CONNECTED.has(code)) return fail('retryable');
  if (code === 'ETIMEDOUT' && syscall === 'connect') return fail('retryable');
  // A broken connection (ECONNRESET, EPIPE), the request timeout (ECONNABORTED, or ETIMEDOUT
  // with clarifyTimeoutError) and anything else: Twilio may have received the request.
  return fail('unknown-outcome');
}
