// The full twilio client (3.8 MB, ~300 ms to load): only the send worker imports this file.
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message.js';
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

/** A RequestClient that sends Twilio's own requests (path, form body, Basic auth) to another origin. */
class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly origin: string,
    options: RequestClient.RequestClientOptions,
  ) {
    super(options);
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.origin}${uri.pathname}${uri.search}` });
  }
}

export class TwilioSmsOutbound implements OutboundChannel {
  readonly name = 'sms' as const;
  private readonly client: twilio.Twilio;
  private readonly sender: Pick<MessageListInstanceCreateOptions, 'from' | 'messagingServiceSid'>;

  constructor(options: TwilioSmsOutboundOptions) {
    // autoRetry stays off (it is off by default too: RequestClient only installs its 429 backoff
    // interceptor when asked): the send worker owns retries, with backoff, attempts and a DLQ.
    const clientOptions = { timeout: options.timeoutMs ?? 10_000, autoRetry: false };
    const httpClient = options.apiBaseUrl
      ? new RedirectingRequestClient(new URL(options.apiBaseUrl).origin, clientOptions)
      : new twilio.RequestClient(clientOptions);
    this.client = twilio(options.accountSid, options.authToken, { httpClient });
    this.sender = MESSAGING_SERVICE_SID.test(options.from)
      ? { messagingServiceSid: options.from }
      : { from: options.from };
  }

  async send(to: string, body: string, options: SendOptions = {}): Promise<SendResult> {
    try {
      const message = await this.client.messages.create({
        to,
        body,
        ...this.sender,
        ...(options.statusCallbackUrl ? { statusCallback: options.statusCallbackUrl } : {}),
      });
      return { providerId: message.sid };
    } catch (error) {
      throw classifyTwilioError(error);
    }
  }
}

// The request cannot have reached Twilio: no connection was ever made.
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

interface ErrorShape {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  syscall?: unknown;
  cause?: unknown;
}

/**
 * What a failed `messages.create` means for the send worker. Pure: looks only at the error.
 *
 * Twilio answered (a RestException: numeric `status`, Twilio `code`):
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
 * No answer (a network error with a Node/axios `code`):
 * - no connection was ever made (ECONNREFUSED, ENOTFOUND, EAI_AGAIN, ENETUNREACH, EHOSTUNREACH, a
 *   TCP connect ETIMEDOUT) → retryable;
 * - ECONNRESET/EPIPE (the connection broke before an answer) or the timeout (axios ECONNABORTED)
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
  // A broken connection (ECONNRESET, EPIPE), the request timeout (axios ECONNABORTED, or ETIMEDOUT
  // with clarifyTimeoutError) and anything else: Twilio may have received the request.
  return fail('unknown-outcome');
}
