// Tencent Cloud SMS callbacks: a carer's reply (短信回复, one JSON object per request) and delivery
// status (短信下发状态, a JSON array). Pure parsing: what can be taken, and why the rest never can.
import { createHash } from 'node:crypto';
import { ValidationError } from '#lib/errors.ts';
import type { InboundMessage } from '#lib/ports/conversation-store.ts';
import * as z from '#lib/zod.ts';

/** Tencent retries a status push we do not accept; a larger one is refused as malformed. */
export const MAX_STATUS_ITEMS = 5000;

/** What Tencent Cloud waits for to stop retrying a callback. */
export const TENCENT_ACCEPTED = JSON.stringify({ result: 0, errmsg: 'OK' });

const replySchema = z.lazy(() =>
  z.object({
    // Without the country code, which comes in `nationcode`; a leading 86 or +86 is tolerated.
    mobile: z.pipe(
      z.pipe(
        z.union([z.string(), z.number()]),
        z.transform((v) =>
          String(v)
            .trim()
            .replace(/^\+?86(?=1\d{10}$)/, ''),
        ),
      ),
      z.string().check(z.regex(/^1[3-9]\d{9}$/, 'must be a mainland mobile number')),
    ),
    nationcode: z.pipe(
      z.pipe(
        z.union([z.string(), z.number()]),
        z.transform((v) => String(v).trim().replace(/^\+/, '')),
      ),
      z.literal('86', { message: 'must be 86: replies come from mainland numbers only' }),
    ),
    text: z.string().check(z.maxLength(1600, 'longer than 1600 characters')),
    // Unix seconds when the carer sent it; part of the reply's identity.
    time: z.union([
      z.int().check(z.nonnegative()),
      z.string().check(z.regex(/^\d{1,13}$/, 'must be a Unix time')),
    ]),
    sign: z.optional(z.string().check(z.maxLength(64))),
    extend: z.optional(z.pipe(z.union([z.string(), z.number()]), z.transform(String))),
  }),
);

const statusSchema = z.lazy(() =>
  z.object({
    user_receive_time: z.optional(z.string().check(z.maxLength(40))),
    nationcode: z.optional(z.pipe(z.union([z.string(), z.number()]), z.transform(String))),
    mobile: z.optional(z.pipe(z.union([z.string(), z.number()]), z.transform(String))),
    report_status: z.enum(['SUCCESS', 'FAIL']),
    errmsg: z.optional(z.string().check(z.maxLength(128))),
    description: z.optional(z.string().check(z.maxLength(512))),
    sid: z.string().check(z.minLength(1), z.maxLength(128)),
    // The SessionContext we sent: our outbound key.
    ext: z.optional(z.union([z.string().check(z.maxLength(512)), z.record(z.string(), z.unknown())])),
  }),
);

export type TencentStatus = z.infer<typeof statusSchema>;

function json(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new ValidationError('the callback is not JSON');
  }
}

const reasons = (error: z.core.$ZodError): string =>
  error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ');

/** The same reply pushed twice has one id: mobile + time + text. */
export function replyMessageId(reply: { phone: string; time: string; text: string }): string {
  const hash = createHash('sha256').update(`${reply.phone}\n${reply.time}\n${reply.text}`).digest('hex');
  return `tencent-reply-${hash.slice(0, 32)}`;
}

/** A carer's reply as the inbound message a conversation turn takes, or why it never can be one. */
export function parseReplyCallback(body: string, receivedAt: Date): InboundMessage {
  const parsed = replySchema.safeParse(json(body));
  if (!parsed.success) throw new ValidationError(`the reply cannot be taken: ${reasons(parsed.error)}`);
  const m = parsed.data;
  const phone = `+86${m.mobile}`;
  const time = String(m.time);
  return {
    channel: 'sms',
    from: phone,
    to: m.extend ?? '',
    body: m.text,
    messageId: replyMessageId({ phone, time, text: m.text }),
    receivedAt: receivedAt.toISOString(),
  };
}

export interface ParsedStatusPush {
  items: TencentStatus[];
  /** Items that can never be taken, with why (logged; Tencent is not asked to resend them). */
  refused: { index: number; reason: string }[];
}

/** The status push: every item that can be recorded, or a ValidationError when none ever can. */
export function parseStatusCallback(body: string): ParsedStatusPush {
  const parsed = json(body);
  // One report alone is accepted as well as the documented array.
  const batch = Array.isArray(parsed) ? parsed : [parsed];
  if (batch.length === 0) throw new ValidationError('the status push is an empty array');
  if (batch.length > MAX_STATUS_ITEMS) throw new ValidationError(`more than ${MAX_STATUS_ITEMS} reports`);
  const items: TencentStatus[] = [];
  const refused: { index: number; reason: string }[] = [];
  batch.forEach((raw, index) => {
    const item = statusSchema.safeParse(raw);
    if (item.success) items.push(item.data);
    else refused.push({ index, reason: reasons(item.error) });
  });
  if (items.length === 0) {
    throw new ValidationError(
      `no report in the push can be taken: ${refused
        .map((r) => `#${r.index} ${r.reason}`)
        .join(' | ')
        .slice(0, 300)}`,
    );
  }
  return { items, refused };
}
