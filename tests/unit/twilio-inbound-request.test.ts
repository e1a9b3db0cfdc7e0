import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { describe, expect, it } from 'vitest';
import { parseForm, TwilioSmsInbound } from '#lib/channels/twilio-sms/twilio-sms-inbound.ts';
import {
  inboundSmsParams,
  messagesFromTwiml,
  newMessageSid,
  signedInboundSmsRequest,
} from '#lib/local/twilio-inbound-request.ts';

const AUTH_TOKEN = 'local-dev-auth-token';
const ACCOUNT_SID = 'AC00000000000000000000000000000000';
const WEBHOOK_URL = 'http://localhost:3000/webhooks/twilio/sms';

const fields = {
  from: '+8613800000001',
  to: '+15005550006',
  body: '签到',
  accountSid: ACCOUNT_SID,
  messageSid: 'SM0123456789abcdef0123456789abcdef',
};

describe('newMessageSid', () => {
  it('looks like a Twilio SMS sid and differs each time', () => {
    const sids = new Set(Array.from({ length: 20 }, () => newMessageSid()));
    expect(sids.size).toBe(20);
    for (const sid of sids) expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
  });
});

describe('inboundSmsParams', () => {
  it('has the usual Twilio parameters with the given values', () => {
    const p = inboundSmsParams(fields);
    expect(p).toMatchObject({
      MessageSid: fields.messageSid,
      SmsMessageSid: fields.messageSid,
      SmsSid: fields.messageSid,
      AccountSid: ACCOUNT_SID,
      From: '+8613800000001',
      To: '+15005550006',
      Body: '签到',
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    });
    for (const key of ['FromCity', 'FromState', 'FromZip', 'ToCity', 'ToState', 'ToZip'])
      expect(p[key]).toBe('');
  });

  it.each([
    ['+8613800000001', '+15005550006', 'CN', 'US'],
    ['+15005550009', '+8610690000001', 'US', 'CN'],
  ])('from %s to %s: FromCountry %s, ToCountry %s', (from, to, fromCountry, toCountry) => {
    const p = inboundSmsParams({ ...fields, from, to });
    expect([p.FromCountry, p.ToCountry]).toEqual([fromCountry, toCountry]);
  });

  it('makes up one MessageSid when none is given and uses it for every sid parameter', () => {
    const { messageSid: _, ...rest } = fields;
    const p = inboundSmsParams(rest);
    expect(p.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(p.SmsSid).toBe(p.MessageSid);
    expect(p.SmsMessageSid).toBe(p.MessageSid);
    expect(inboundSmsParams(rest).MessageSid).not.toBe(p.MessageSid);
  });

  it('is what TwilioSmsInbound parses', () => {
    const channel = new TwilioSmsInbound({
      authToken: AUTH_TOKEN,
      accountSid: ACCOUNT_SID,
      now: () => new Date('2026-11-25T02:00:00Z'),
    });
    const signed = signedInboundSmsRequest({
      url: WEBHOOK_URL,
      authToken: AUTH_TOKEN,
      params: inboundSmsParams(fields),
    });
    const request = { method: 'POST', url: WEBHOOK_URL, ...signed };
    channel.verify(request);
    expect(channel.parse(request)).toMatchObject({
      from: fields.from,
      to: fields.to,
      body: fields.body,
      messageId: fields.messageSid,
    });
  });
});

describe('signedInboundSmsRequest', () => {
  const bodies = ['签到', '1个', 'a & b = c + d', '100%', '', '😀 第一行\n第二行', '<Message>x</Message>'];

  it.each(bodies)('signs %j so that validateRequest accepts it', (body) => {
    const params = inboundSmsParams({ ...fields, body });
    const signed = signedInboundSmsRequest({ url: WEBHOOK_URL, authToken: AUTH_TOKEN, params });
    const signature = signed.headers['x-twilio-signature'] ?? '';
    expect(validateRequest(AUTH_TOKEN, signature, WEBHOOK_URL, parseForm(signed.body))).toBe(true);
  });

  it.each<[string, string, string]>([
    ['another auth token', 'another-auth-token', WEBHOOK_URL],
    ['another URL', AUTH_TOKEN, 'http://localhost:3000/webhooks/twilio/other'],
  ])('does not validate with %s', (_, token, url) => {
    const params = inboundSmsParams(fields);
    const signed = signedInboundSmsRequest({ url: WEBHOOK_URL, authToken: AUTH_TOKEN, params });
    expect(
      validateRequest(token, signed.headers['x-twilio-signature'] ?? '', url, parseForm(signed.body)),
    ).toBe(false);
  });

  it('form-encodes every parameter, + and Chinese included', () => {
    const params = inboundSmsParams({ ...fields, body: '1 + 1 = 二 & 好' });
    const signed = signedInboundSmsRequest({ url: WEBHOOK_URL, authToken: AUTH_TOKEN, params });
    expect(signed.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(signed.body).toContain('From=%2B8613800000001');
    expect(parseForm(signed.body)).toEqual(params);
  });
});

describe('messagesFromTwiml', () => {
  const channel = new TwilioSmsInbound({
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    now: () => new Date(),
  });

  it.each([
    [[]],
    [['【连心】谢谢！']],
    [['<b>bold</b>', 'Tom & Jerry', `"quoted" and 'single'`]],
    [['&amp;', '&lt;3', '&#60;', '&#38;', '&quot;hi&quot;', '&apos;']],
    [['第一行\n第二行', '  spaced  ', '']],
    [['😀 emoji', '</Message><Message>injected']],
  ])('round-trips %j through TwilioSmsInbound.reply', (texts) => {
    expect(messagesFromTwiml(channel.reply(texts).body)).toEqual(texts);
  });

  it.each([
    ['<?xml version="1.0" encoding="UTF-8"?><Response/>', []],
    [
      '<Response><Message>a &lt;b&gt; &amp;amp; &quot;c&quot; &apos;d&apos;</Message></Response>',
      [`a <b> &amp; "c" 'd'`],
    ],
    ['<Response><Message>&#x4F60;&#22909;</Message></Response>', ['你好']],
    ['<Response>\n  <Message>one</Message>\n  <Message>two</Message>\n</Response>', ['one', 'two']],
  ])('reads TwiML written by others: %s', (xml, texts) => {
    expect(messagesFromTwiml(xml)).toEqual(texts);
  });
});
