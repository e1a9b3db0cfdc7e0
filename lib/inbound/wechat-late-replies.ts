// When the conversation cannot answer within WeChat's 5 seconds, the webhook answers `success` and
// the replies follow as customer-service messages, through the send queue like any message lianxin starts.
import type { WechatMessage } from '#lib/channels/wechat/wechat-inbound.ts';
import { ValidationError } from '#lib/errors.ts';
import { type WechatOutcome, wechatMessageId } from '#lib/inbound/handle-wechat-message.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { traced } from '#lib/observability/process-observability.ts';
import type { OutboundPort } from '#lib/ports/outbound.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import * as z from '#lib/zod.ts';

export interface LateReplies {
  /**
   * The passive reply's deadline passed while `inFlight` was still working on `message`: see that its
   * replies reach the user anyway. Must not throw (the webhook has already answered `success`).
   */
  defer(message: WechatMessage, inFlight: Promise<WechatOutcome>): Promise<void>;
}

/**
 * Enqueues the replies as customer-service messages (kind `reply`, urgent: the user is waiting, and
 * past an opt-out like any answer to their own message: the engine already decided what to say), keyed
 * `late-reply#wechat#<message id>#<n>` so that running this twice sends each once. An OpenID that is
 * not linked has no contact to send to: its (linking) reply is dropped, and the user can simply resend.
 */
export async function enqueueLateReplies(
  message: WechatMessage,
  outcome: WechatOutcome,
  deps: { outbound: OutboundPort; logger: Logger },
): Promise<void> {
  const { contactId } = outcome;
  if (!contactId) {
    if (outcome.replies.length > 0) deps.logger.warn('late reply to an unlinked WeChat user dropped');
    return;
  }
  const id = wechatMessageId(message);
  for (const [i, body] of outcome.replies.entries()) {
    await deps.outbound.enqueue({
      key: `late-reply#wechat#${id}#${i}`,
      recipient: { contactId, channel: 'wechat', address: message.openId },
      body,
      kind: 'reply',
      urgent: true,
      // As the passive reply would have been: their own message asked for it, so even their
      // opt-out does not stop it (it may be the confirmation of that very opt-out).
      ignoresOptOut: true,
    });
  }
  deps.logger.info('late replies enqueued as customer-service messages', { count: outcome.replies.length });
}

/**
 * In one long-lived process (`npm start`, tests) the work simply carries on after the webhook has
 * answered; its replies are enqueued when it ends.
 */
export class InProcessLateReplies implements LateReplies {
  readonly #pending = new Set<Promise<void>>();

  constructor(private readonly deps: { outbound: OutboundPort; logger: Logger }) {}

  async defer(message: WechatMessage, inFlight: Promise<WechatOutcome>): Promise<void> {
    const done = inFlight
      .then((outcome) => enqueueLateReplies(message, outcome, this.deps))
      .catch((error: unknown) => this.deps.logger.error('late reply failed', { error: error as Error }))
      .finally(() => this.#pending.delete(done));
    this.#pending.add(done);
  }

  /** Resolves when every deferred reply has been enqueued (tests). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}

/** The event a WeChat webhook Lambda sends itself to finish a message after answering `success`. */
export const LATE_REPLY_SOURCE = 'lianxin.wechat-late-reply';

const lateReplyEventSchema = z.lazy(() =>
  z.object({
    source: z.literal(LATE_REPLY_SOURCE),
    message: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('text'),
        openId: z.string(),
        account: z.string(),
        createTime: z.number(),
        msgId: z.string(),
        content: z.string(),
      }),
      z.object({
        kind: z.literal('event'),
        openId: z.string(),
        account: z.string(),
        createTime: z.number(),
        event: z.string(),
        eventKey: z.optional(z.string()),
      }),
      z.object({
        kind: z.literal('other'),
        openId: z.string(),
        account: z.string(),
        createTime: z.number(),
        msgType: z.string(),
        msgId: z.optional(z.string()),
      }),
    ]),
  }),
);

export type LateReplyEvent = { source: typeof LATE_REPLY_SOURCE; message: WechatMessage };

/** The message of a late-reply event, or undefined when the event is anything else (an HTTP request). */
export function lateReplyMessage(event: unknown): WechatMessage | undefined {
  if (
    typeof event !== 'object' ||
    event === null ||
    (event as { source?: unknown }).source !== LATE_REPLY_SOURCE
  ) {
    return undefined;
  }
  const parsed = lateReplyEventSchema.safeParse(event);
  if (!parsed.success) throw new ValidationError('invalid late-reply event');
  const { message } = parsed.data;
  switch (message.kind) {
    case 'text':
      return message;
    case 'event':
      return { ...message, eventKey: message.eventKey };
    case 'other':
      return { ...message, msgId: message.msgId };
  }
}

/**
 * In Lambda the process freezes once the webhook has answered, so the work cannot carry on there: the
 * function invokes itself asynchronously with the message (Lambda retries an async event twice), and
 * that invocation handles it again. Handling is idempotent on the message id, so if the first attempt
 * did finish, the second only reads its replies; either way they are enqueued once.
 */
export class LambdaLateReplies implements LateReplies {
  /** The async self-invoke (a policy of its own in the CDK: the role cannot name its function). */
  static readonly awsAccess: AwsAccess = { self: ['lambda:InvokeFunction'] };

  constructor(private readonly deps: { functionName: string; region: string; logger: Logger }) {}

  async defer(message: WechatMessage, inFlight: Promise<WechatOutcome>): Promise<void> {
    // The frozen attempt may finish on a later thaw; nothing waits for it.
    inFlight.catch(() => undefined);
    const event: LateReplyEvent = { source: LATE_REPLY_SOURCE, message };
    try {
      const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
      await traced(new LambdaClient({ region: this.deps.region })).send(
        new InvokeCommand({
          FunctionName: this.deps.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
    } catch (error) {
      this.deps.logger.error('could not hand the late reply on', { error: error as Error });
    }
  }
}
