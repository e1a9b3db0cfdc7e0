// Alibaba Cloud SMS pushes (HTTP batch push): carers' replies (SmsUp) and delivery receipts (SmsReport),
// each a JSON array. Pure parsing: which items can be taken, and why the others never can.
import { createHash } from 'node:crypto';
import { ValidationError } from '#lib/errors.ts';
import type { InboundMessage } from '#lib/ports/conversation-store.ts';
import * as z from '#lib/zod.ts';

/** Alibaba Cloud retries a push we do not accept; a batch larger than this is refused as malformed. */
export const MAX_PUSH_ITEMS = 5000;

const digits = z.lazy(() => z.pipe(z.union([z.string(), z.number()]), z.transform(String)));

const uplinkSchema = z.lazy(() =>
  z.object({
    // Without +86, as the provider sends it; a leading 86 is tolerated.
    phone_number: z.pipe(
      z.pipe(
        z.union([z.string(), z.number()]),
        z.transform((v: string | number) => String(v).trim()),
      ),
      z.string().check(z.regex(/^(\+?86)?1[3-9]\d{9}$/, 'must be a mainland mobile number')),
    ),
    content: z.string().check(z.maxLength(1600, 'longer than 1600 characters')),
    send_time: z.string().check(z.minLength(1), z.maxLength(40)),
    dest_code: z.optional(digits),
    sequence_id: z.optional(z.union([z.string().check(z.minLength(1), z.maxLength(64)), z.int()])),
  }),
);

const reportSchema = z.lazy(() =>
  z.object({
    phone_number: z.optional(z.pipe(z.union([z.string(), z.number()]), z.transform(String))),
    success: z.pipe(
      z.union([z.boolean(), z.enum(['true', 'false'])]),
      z.transform((v: boolean | 'true' | 'false') => v === true || v === 'true'),
    ),
    biz_id: z.string().check(z.minLength(1), z.maxLength(128)),
    out_id: z.optional(z.string().check(z.maxLength(512))),
    err_code: z.optional(z.string().check(z.maxLength(64))),
    err_msg: z.optional(z.string().check(z.maxLength(512))),
    report_time: z.optional(z.string().check(z.maxLength(40))),
    send_time: z.optional(z.string().check(z.maxLength(40))),
  }),
);

export type AliyunReport = z.infer<typeof reportSchema>;

export interface ParsedPush<T> {
  items: T[];
  /** Items that can never be taken, with why (logged; the provider is not asked to resend them). */
  refused: { index: number; reason: string }[];
}

/** The JSON array of a push, or a ValidationError saying why the whole request can never be taken. */
function batchOf(body: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ValidationError('the push is not JSON');
  }
  if (!Array.isArray(parsed)) throw new ValidationError('the push is not a JSON array');
  if (parsed.length === 0) throw new ValidationError('the push is an empty array');
  if (parsed.length > MAX_PUSH_ITEMS)
    throw new ValidationError(`more than ${MAX_PUSH_ITEMS} items in one push`);
  return parsed;
}

function parseItems<S extends z.ZodMiniType, T>(
  body: string,
  schema: S,
  map: (item: z.output<S>) => T,
): ParsedPush<T> {
  const items: T[] = [];
  const refused: { index: number; reason: string }[] = [];
  batchOf(body).forEach((raw, index) => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) items.push(map(parsed.data));
    else
      refused.push({
        index,
        reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'item'} ${i.message}`).join('; '),
      });
  });
  if (items.length === 0) {
    throw new ValidationError(
      `no message in the push can be taken: ${refused
        .map((r) => `#${r.index} ${r.reason}`)
        .join(' | ')
        .slice(0, 300)}`,
    );
  }
  return { items, refused };
}

/** The same reply pushed twice has one id: its sequence_id, else phone + send time + content. */
export function uplinkMessageId(item: {
  phone: string;
  sequenceId?: string | number | undefined;
  sendTime: string;
  content: string;
}): string {
  if (item.sequenceId !== undefined) return `aliyun-up-${item.sequenceId}`;
  const hash = createHash('sha256').update(`${item.phone}\n${item.sendTime}\n${item.content}`).digest('hex');
  return `aliyun-up-h${hash.slice(0, 32)}`;
}

/** Carers' replies, each as the inbound message a conversation turn takes. */
export function parseUplinkPush(
  body: string,
  receivedAt: Date,
): ParsedPush<InboundMessage & { sendTime: string }> {
  return parseItems(body, uplinkSchema, (m) => {
    const phone = `+86${m.phone_number.replace(/^\+?86/, '')}`;
    return {
      channel: 'sms' as const,
      from: phone,
      to: m.dest_code ?? '',
      body: m.content,
      messageId: uplinkMessageId({
        phone,
        sequenceId: m.sequence_id,
        sendTime: m.send_time,
        content: m.content,
      }),
      receivedAt: receivedAt.toISOString(),
      sendTime: m.send_time,
    };
  });
}

export function parseReportPush(body: string): ParsedPush<AliyunReport> {
  return parseItems(body, reportSchema, (r) => r);
}

/** What Alibaba Cloud waits for to stop retrying a push. */
export const ALIYUN_ACCEPTED = JSON.stringify({ code: 0, msg: '接收成功' });
