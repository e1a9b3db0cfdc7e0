import { describe, expect, it } from 'vitest';
import { classifyTwilioError, twilioApiError } from '#lib/channels/twilio-sms/twilio-sms-outbound.ts';
import { SendFailure, type SendFailureKind } from '#lib/ports/channel.ts';

/** The error the channel makes of a non-2xx answer: Twilio's JSON error body, or a gateway's page. */
const rest = (statusCode: number, code?: number, message = 'refused') =>
  twilioApiError(
    statusCode,
    code === undefined ? '<html>Bad Gateway</html>' : JSON.stringify({ code, message, status: statusCode }),
  );

/** A network error as Node surfaces it (a string `code`), also wrapped with the Node error as `cause`. */
const network = (code: string, extra: { syscall?: string; reusedSocket?: boolean } = {}) =>
  Object.assign(new Error(`${code} happened`), {
    code,
    cause: Object.assign(new Error(code), { code, syscall: extra.syscall }),
    request: { reusedSocket: extra.reusedSocket ?? false },
  });

describe('classifyTwilioError: Twilio answered', () => {
  const cases: [string, unknown, SendFailureKind, number | undefined][] = [
    ['21610 unsubscribed', rest(400, 21610), 'opted-out', 21610],
    ['21211 invalid To', rest(400, 21211), 'invalid-address', 21211],
    ['21614 not a mobile number', rest(400, 21614), 'invalid-address', 21614],
    ['21612 To/From combination (our sender, not their number)', rest(400, 21612), 'rejected', 21612],
    ['21408 region not enabled', rest(400, 21408), 'rejected', 21408],
    ['21617 body too long', rest(400, 21617), 'rejected', 21617],
    ['20003 bad credentials', rest(401, 20003), 'rejected', 20003],
    ['20404 unknown account', rest(404, 20404), 'rejected', 20404],
    ['429 / 20429 too many requests', rest(429, 20429), 'retryable', 20429],
    ['429 without a JSON body', rest(429), 'retryable', undefined],
    ['500 / 20500', rest(500, 20500), 'retryable', 20500],
    ['503 / 20503', rest(503, 20503), 'retryable', 20503],
    ['503 with an HTML body', rest(503), 'retryable', undefined],
    // A gateway error may come after Twilio accepted and sent the message: never resend blindly.
    ['502 with an HTML body', rest(502), 'unknown-outcome', undefined],
    ['502 / 20502', rest(502, 20502), 'unknown-outcome', 20502],
    ['504 with an HTML body', rest(504), 'unknown-outcome', undefined],
    ['504 / 20504', rest(504, 20504), 'unknown-outcome', 20504],
  ];

  it.each(cases)('%s → %s', (_, error, kind, providerCode) => {
    const failure = classifyTwilioError(error);

    expect(failure).toBeInstanceOf(SendFailure);
    expect(failure.kind).toBe(kind);
    expect(failure.providerCode).toBe(providerCode);
    expect(failure.cause).toBe(error);
  });

  it('masks the phone number Twilio puts in its message', () => {
    const failure = classifyTwilioError(
      rest(400, 21211, "The 'To' number +8613800000001 is not a valid phone number."),
    );

    expect(failure.message).toContain('400 (21211)');
    expect(failure.message).toContain('+86138****0001');
    expect(failure.message).not.toContain('+8613800000001');
  });
});

describe('classifyTwilioError: no answer', () => {
  const cases: [string, unknown, SendFailureKind][] = [
    ['ECONNREFUSED', network('ECONNREFUSED', { syscall: 'connect' }), 'retryable'],
    ['ENOTFOUND', network('ENOTFOUND', { syscall: 'getaddrinfo' }), 'retryable'],
    ['EAI_AGAIN', network('EAI_AGAIN', { syscall: 'getaddrinfo' }), 'retryable'],
    ['ENETUNREACH', network('ENETUNREACH'), 'retryable'],
    ['EHOSTUNREACH', network('EHOSTUNREACH'), 'retryable'],
    ['ETIMEDOUT while connecting', network('ETIMEDOUT', { syscall: 'connect' }), 'retryable'],
    // A POST is not idempotent: even the keep-alive race may have reached Twilio.
    [
      'ECONNRESET on a reused keep-alive socket',
      network('ECONNRESET', { reusedSocket: true }),
      'unknown-outcome',
    ],
    ['EPIPE on a reused keep-alive socket', network('EPIPE', { reusedSocket: true }), 'unknown-outcome'],
    ['ECONNRESET on a fresh connection', network('ECONNRESET'), 'unknown-outcome'],
    ['EPIPE on a fresh connection', network('EPIPE'), 'unknown-outcome'],
    ['our timeout once connected (ECONNABORTED)', network('ECONNABORTED'), 'unknown-outcome'],
    ['ETIMEDOUT not while connecting', network('ETIMEDOUT'), 'unknown-outcome'],
    ['a plain Error', new SyntaxError('Unexpected token < in JSON'), 'unknown-outcome'],
    ['a thrown string', 'boom', 'unknown-outcome'],
    ['null', null, 'unknown-outcome'],
  ];

  it.each(cases)('%s → %s', (_, error, kind) => {
    const failure = classifyTwilioError(error);

    expect(failure).toBeInstanceOf(SendFailure);
    expect(failure.kind).toBe(kind);
    expect(failure.providerCode).toBeUndefined();
    expect(failure.cause).toBe(error);
  });

  it('names the network code in the message', () => {
    expect(classifyTwilioError(network('ECONNREFUSED')).message).toContain('ECONNREFUSED');
  });
});
