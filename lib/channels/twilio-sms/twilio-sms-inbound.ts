// Only the 5 KB webhook helpers: the full twilio client (3.8 MB) must stay out of this bundle.
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { SignatureError, ValidationError } from '#lib/errors.ts';
import type { InboundChannel, WebhookRequest, WebhookResponse } from '#lib/ports/channel.ts';
import type { InboundMessage } from '#lib/ports/conversation-store.ts';
import * as z from '#lib/zod.ts';

const twilioSid = (prefix: string) =>
  z.string().check(z.regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be a ${prefix} id`));

// Twilio sends many more parameters (FromCity, NumSegments, ...); we read these and ignore the rest.
const inboundSmsSchema = z.object({
  MessageSid: twilioSid('(SM|MM)'),
  AccountSid: twilioSid('AC'),
  From: z.string().check(z.regex(/^\+?[0-9]{3,15}$/, 'must be a phone number')),
  To: z.string().check(z.regex(/^\+?[0-9]{3,15}$/, 'must be a phone number')),
  Body: z.string().check(z.maxLength(1600, 'longer than 1600 characters')),
});

export function parseForm(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Throws SignatureError unless Twilio signed this exact URL and form body with our auth token. */
export function verifyTwilioSignature(request: WebhookRequest, authToken: string): void {
  const signature = request.headers['x-twilio-signature'];
  if (!signature) throw new SignatureError('missing X-Twilio-Signature');
  if (!validateRequest(authToken, signature, request.url, parseForm(request.body))) {
    throw new SignatureError('X-Twilio-Signature does not match');
  }
}

export class TwilioSmsInbound implements InboundChannel {
  readonly name = 'sms' as const;

  constructor(private readonly options: { authToken: string; accountSid: string; now: () => Date }) {}

  verify(request: WebhookRequest): void {
    verifyTwilioSignature(request, this.options.authToken);
  }

  parse(request: WebhookRequest): InboundMessage {
    const parsed = inboundSmsSchema.safeParse(parseForm(request.body));
    if (!parsed.success) {
      const reasons = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`);
      throw new ValidationError(`invalid Twilio parameters: ${reasons.join('; ')}`);
    }
    const p = parsed.data;
    if (p.AccountSid !== this.options.accountSid) {
      throw new ValidationError('invalid Twilio parameters: AccountSid is not this account');
    }
    return {
      channel: 'sms',
      from: p.From,
      to: p.To,
      body: p.Body,
      messageId: p.MessageSid,
      receivedAt: this.options.now().toISOString(),
    };
  }

  reply(texts: string[]): WebhookResponse {
    const messages = texts.map((t) => `<Message>${escapeXml(t)}</Message>`).join('');
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: `<?xml version="1.0" encoding="UTF-8"?><Response>${messages}</Response>`,
    };
  }
}
