import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { describe, expect, it } from 'vitest';
import { TwilioSmsInbound } from '#lib/channels/twilio-sms/twilio-sms-inbound.ts';
import { SignatureError, ValidationError } from '#lib/errors.ts';
import type { WebhookRequest } from '#lib/ports/channel.ts';

const AUTH_TOKEN = 'test-auth-token-0123456789';
const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const WEBHOOK_URL = 'https://api.lianxin.example.org/webhooks/twilio/sms';
const NOW = new Date('2026-11-25T02:00:00Z');
const MESSAGE_SID = 'SM0123456789abcdef0123456789abcdef';

const channel = () =>
  new TwilioSmsInbound({ authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, now: () => NOW });

function params(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = {
    MessageSid: MESSAGE_SID,
    SmsSid: MESSAGE_SID,
    AccountSid: ACCOUNT_SID,
    From: '+8613800000001',
    To: '+15005550006',
    Body: '签到',
    NumMedia: '0',
    FromCountry: 'CN',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A request as Twilio sends it, signed with Twilio's own algorithm over `signedUrl` and `signedParams`. */
function request(
  options: {
    params?: Record<string, string>;
    signedParams?: Record<string, string>;
    url?: string;
    signedUrl?: string;
    authToken?: string;
    signature?: string | null;
  } = {},
): WebhookRequest {
  const sent = options.params ?? params();
  const signature =
    options.signature === undefined
      ? getExpectedTwilioSignature(
          options.authToken ?? AUTH_TOKEN,
          options.signedUrl ?? options.url ?? WEBHOOK_URL,
          options.signedParams ?? sent,
        )
      : options.signature;
  const headers: Record<string, string | undefined> = {
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (signature !== null) headers['x-twilio-signature'] = signature;
  return {
    method: 'POST',
    url: options.url ?? WEBHOOK_URL,
    headers,
    body: new URLSearchParams(sent).toString(),
  };
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('TwilioSmsInbound.verify', () => {
  it.each([
    ['a plain check-in', params()],
    ['a body with symbols and Chinese', params({ Body: '1个 & <是> "好" 100% +1 =2' })],
    ['an empty body', params({ Body: '' })],
  ])('accepts %s signed by Twilio', (_, sent) => {
    expect(() => channel().verify(request({ params: sent }))).not.toThrow();
  });

  it('accepts a signed URL with a query string', () => {
    const url = `${WEBHOOK_URL}?centre=shimen`;
    expect(() => channel().verify(request({ url }))).not.toThrow();
  });

  it.each<[string, Parameters<typeof request>[0]]>([
    ['no signature', { signature: null }],
    ['an empty signature', { signature: '' }],
    ['a garbage signature', { signature: 'not-a-signature' }],
    ['a signature by another auth token', { authToken: 'someone-elses-auth-token' }],
    ['a signature for another URL', { signedUrl: 'https://evil.example.org/webhooks/twilio/sms' }],
    ['a signature for another path', { signedUrl: 'https://api.lianxin.example.org/webhooks/twilio/voice' }],
    [
      'a signature for http instead of https',
      { signedUrl: 'http://api.lianxin.example.org/webhooks/twilio/sms' },
    ],
    ['a signature without the query string', { url: `${WEBHOOK_URL}?centre=shimen`, signedUrl: WEBHOOK_URL }],
    ['a tampered Body', { params: params({ Body: '0' }), signedParams: params({ Body: '5' }) }],
    ['a tampered From', { params: params({ From: '+8613800000009' }), signedParams: params() }],
    ['an added parameter', { params: { ...params(), Extra: '1' }, signedParams: params() }],
    ['a removed parameter', { params: params({ NumMedia: undefined }), signedParams: params() }],
  ])('rejects %s with SignatureError', (_, options) => {
    expect(errorOf(() => channel().verify(request(options)))).toBeInstanceOf(SignatureError);
  });

  it('says which check failed', () => {
    expect(errorOf(() => channel().verify(request({ signature: null }))).message).toBe(
      'missing X-Twilio-Signature',
    );
    expect(errorOf(() => channel().verify(request({ signature: 'x' }))).message).toBe(
      'X-Twilio-Signature does not match',
    );
  });
});

describe('TwilioSmsInbound.parse', () => {
  it('returns the inbound message, stamped with the clock', () => {
    expect(channel().parse(request())).toEqual({
      channel: 'sms',
      from: '+8613800000001',
      to: '+15005550006',
      body: '签到',
      messageId: MESSAGE_SID,
      receivedAt: '2026-11-25T02:00:00.000Z',
    });
  });

  it.each([
    ['an MMS sid', { MessageSid: 'MM0123456789ABCDEF0123456789abcdef' }],
    ['an empty body', { Body: '' }],
    ['a body of exactly 1600 characters', { Body: '好'.repeat(1600) }],
    ['a From without +', { From: '8613800000001' }],
    ['a short code sender', { From: '10086' }],
    ['a body with a newline and symbols', { Body: '1\n<&>"\'' }],
  ])('accepts %s', (_, overrides) => {
    const sent = params(overrides);
    const message = channel().parse(request({ params: sent }));
    expect(message.messageId).toBe(sent.MessageSid);
    expect(message.from).toBe(sent.From);
    expect(message.body).toBe(sent.Body);
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    ['a missing MessageSid', { MessageSid: undefined }, 'MessageSid'],
    ['a MessageSid of the wrong kind', { MessageSid: 'CA0123456789abcdef0123456789abcdef' }, 'MessageSid'],
    ['a short MessageSid', { MessageSid: 'SM0123' }, 'MessageSid'],
    ['a missing AccountSid', { AccountSid: undefined }, 'AccountSid'],
    ['a malformed AccountSid', { AccountSid: 'AC-not-hex' }, 'AccountSid'],
    [
      'another account',
      { AccountSid: 'ACffffffffffffffffffffffffffffffff' },
      'AccountSid is not this account',
    ],
    ['a missing From', { From: undefined }, 'From'],
    ['a From with letters', { From: '+86138abc0001' }, 'From must be a phone number'],
    ['a From with spaces', { From: '+86 138 0000 0001' }, 'From must be a phone number'],
    ['a From too long', { From: '+8613800000001234' }, 'From must be a phone number'],
    ['a missing To', { To: undefined }, 'To'],
    ['a missing Body', { Body: undefined }, 'Body'],
    ['a Body over 1600 characters', { Body: '好'.repeat(1601) }, 'Body longer than 1600 characters'],
  ])('rejects %s with a one-line ValidationError naming it', (_, overrides, reason) => {
    const error = errorOf(() => channel().parse(request({ params: params(overrides) })));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/^invalid Twilio parameters: /);
    expect(error.message).toContain(reason);
    expect(error.message).not.toContain('\n');
  });

  it('does not echo the body or the sender in the reason', () => {
    const error = errorOf(() =>
      channel().parse(request({ params: params({ Body: 'x'.repeat(1601), From: 'call-me-maybe' }) })),
    );
    expect(error.message).not.toContain('xxxx');
    expect(error.message).not.toContain('call-me-maybe');
    expect(error.message).toContain('From');
    expect(error.message).toContain('Body');
  });

  it('rejects a + that was not form-encoded (it decodes to a space)', () => {
    const req: WebhookRequest = {
      ...request(),
      body: `MessageSid=${MESSAGE_SID}&AccountSid=${ACCOUNT_SID}&From=+8613800000001&To=%2B15005550006&Body=1`,
    };
    const error = errorOf(() => channel().parse(req));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('From');
  });
});

describe('TwilioSmsInbound.reply', () => {
  const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';

  it('answers with no messages as an empty Response', () => {
    const response = channel().reply([]);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(response.body).toBe(`${XML_HEAD}<Response></Response>`);
  });

  it.each([
    [
      'plain Chinese',
      '【连心】谢谢！本周小明去了儿童之家几天？回复0-7',
      '【连心】谢谢！本周小明去了儿童之家几天？回复0-7',
    ],
    ['less-than and greater-than', 'reply <1> or <2>', 'reply &#60;1&#62; or &#60;2&#62;'],
    ['ampersand', 'Tom & Jerry', 'Tom &#38; Jerry'],
    ['quotes', `the "answer" isn't`, 'the &#34;answer&#34; isn&#39;t'],
    ['an entity-looking text', '&amp; &#60;', '&#38;amp; &#38;#60;'],
    [
      'markup injection',
      '</Message><Redirect>https://evil</Redirect>',
      '&#60;/Message&#62;&#60;Redirect&#62;https://evil&#60;/Redirect&#62;',
    ],
    ['a newline', '第一行\n第二行', '第一行\n第二行'],
  ])('escapes %s', (_, text, escaped) => {
    expect(channel().reply([text]).body).toBe(
      `${XML_HEAD}<Response><Message>${escaped}</Message></Response>`,
    );
  });

  it('keeps several messages in order, one <Message> each', () => {
    const body = channel().reply(['一', 'two & three', '四']).body;
    expect(body).toBe(
      `${XML_HEAD}<Response><Message>一</Message><Message>two &#38; three</Message><Message>四</Message></Response>`,
    );
  });

  it('leaves no raw markup characters inside a message', () => {
    const body = channel().reply([`<>&'"`.repeat(3)]).body;
    const inner = body.slice(body.indexOf('<Message>') + '<Message>'.length, body.lastIndexOf('</Message>'));
    expect(inner).not.toMatch(/[<>'"]|&(?!#\d+;)/);
  });
});
