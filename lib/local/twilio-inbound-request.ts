import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';

export interface InboundSmsFields {
  from: string;
  to: string;
  body: string;
  accountSid: string;
  messageSid?: string;
}

export const newMessageSid = () => `SM${randomBytes(16).toString('hex')}`;

/** The parameters Twilio posts for an inbound SMS (the usual set, with geography left blank). */
export function inboundSmsParams(fields: InboundSmsFields): Record<string, string> {
  const sid = fields.messageSid ?? newMessageSid();
  const country = (phone: string) => (phone.startsWith('+86') ? 'CN' : 'US');
  return {
    ToCountry: country(fields.to),
    ToState: '',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: sid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: fields.body,
    FromCountry: country(fields.from),
    To: fields.to,
    ToZip: '',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: fields.accountSid,
    From: fields.from,
    ApiVersion: '2010-04-01',
  };
}

/** A request exactly as Twilio would send it: form-encoded body and a valid X-Twilio-Signature. */
export function signedInboundSmsRequest(options: {
  url: string;
  authToken: string;
  params: Record<string, string>;
}): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-twilio-signature': getExpectedTwilioSignature(options.authToken, options.url, options.params),
      'user-agent': 'TwilioProxy/1.1',
    },
    body: new URLSearchParams(options.params).toString(),
  };
}

/** The texts of a TwiML <Response>. */
export function messagesFromTwiml(xml: string): string[] {
  // One pass, so that an escaped entity (&#38;lt;) decodes to its text (&lt;) and no further.
  const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
  const decodeXml = (s: string) =>
    s.replace(
      /&(?:#(\d+)|#x([0-9a-fA-F]+)|(lt|gt|quot|apos|amp));/g,
      (_, dec?: string, hex?: string, name?: string) =>
        name ? (named[name] ?? '') : String.fromCodePoint(dec ? Number(dec) : Number.parseInt(hex ?? '', 16)),
    );
  return [...xml.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) => decodeXml(m[1] ?? ''));
}
