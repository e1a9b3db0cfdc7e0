import { createHash } from 'node:crypto';
import { CHANNEL_NAMES, type ChannelName } from '#lib/domain/model.ts';
import {
  OUTBOUND_KINDS,
  type OutboundMessage,
  type OutboundStatus,
  quietHoursEnd,
  retryDelaySeconds,
  type SendInstruction,
} from '#lib/domain/outbound-message.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import { Gate } from '#lib/outbound/gate.ts';
import type { PendingWrites } from '#lib/outbound/pending-writes.ts';
import { type OutboundChannel, SendFailure, type SentTemplate } from '#lib/ports/channel.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { BusinessMetrics } from '#lib/ports/metrics.ts';
import {
  type DeliveryResult,
  type QueueControl,
  type QueueDelivery,
  SQS_MAX_DELAY_SECONDS,
  SQS_MAX_VISIBILITY_SECONDS,
} from '#lib/ports/send-queue.ts';
import type { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import * as z from '#lib/zod.ts';

const hhmm = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/));
const instructionSchema = z.object({
  key: z.string().check(z.minLength(1), z.maxLength(512)),
  contactId: z.string().check(z.minLength(1)),
  channel: z.enum(CHANNEL_NAMES),
  address: z.string().check(z.minLength(1)),
  body: z.string().check(z.minLength(1), z.maxLength(1600)),
  kind: z.enum(OUTBOUND_KINDS),
  urgent: z.boolean(),
  notBefore: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  timeZone: z.string().check(z.minLength(1)),
  quietHours: z.object({ start: hhmm, end: hhmm }),
  broadcastId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  ignoresOptOut: z.optional(z.boolean()),
}) satisfies z.ZodMiniType<SendInstruction>;

/** What the worker may do to a contact when the provider tells it something about them. */
export interface ContactFlags {
  markOptedOut(contactId: string, at?: Date): Promise<void>;
  markAddressInvalid(contactId: string, addressKey: string): Promise<void>;
}

export interface SendPolicy {
  /** Attempts (claims) before a retryable failure becomes `failed` and goes to the DLQ. */
  maxAttempts: number;
  /** More identical bodies than this to one address within the window are blocked. */
  loopGuardLimit: number;
  loopWindowMinutes: number;
  /**
   * A claim older than this with no outcome means the worker died mid-send: the outcome is
   * unknown, and the message is not resent. Longer than the worker's timeout.
   */
  claimTimeoutSeconds: number;
}

export interface SendWorkerDependencies {
  repository: DynamoOutboundRepository;
  channels: Partial<Record<ChannelName, OutboundChannel>>;
  contacts: ContactFlags;
  clock: Clock;
  logger: Logger;
  policy: SendPolicy;
  statusCallbackUrl?: ((key: string) => string) | undefined;
  /**
   * The message's channel cannot reach the contact now (SendFailure 'unreachable'): enqueue a copy on
   * another of their channels and return its key, or undefined when there is none.
   */
  reroute?: ((m: SendInstruction, reason: string) => Promise<string | undefined>) | undefined;
  /**
   * Puts the body on the send queue again as a new message (delay ≤ 15 min): a hold longer than SQS
   * lets one message stay hidden (12 h from its first receipt) continues on a fresh message.
   */
  requeue?: ((body: string, delaySeconds: number) => Promise<void>) | undefined;
  /**
   * Where the `sent` write may go on after the delivery returns, so the slot takes the next message
   * while DynamoDB records this one; unset: awaited in the delivery. The runner settles it (see
   * PendingWrites) before acknowledging its deliveries.
   */
  pendingWrites?: PendingWrites | undefined;
  /** Throughput control: resolves when the next send may go. */
  pace?: (() => Promise<void>) | undefined;
  /**
   * Sends in flight at once (see `withSendSlots`): only the pacing and the provider call take a slot,
   * so a delivery is read and claimed while the slot's previous send waits on the provider.
   */
  sendSlots?: Pick<Gate, 'run'> | undefined;
  random?: (() => number) | undefined;
  /** Sent and failed-for-good counts by channel (and failure code). */
  metrics?: BusinessMetrics | undefined;
}

/** Deliveries run at once for each send slot: one sending, one read and claimed behind it. */
const DELIVERIES_PER_SEND_SLOT = 2;

/**
 * The worker with `slots` sends in flight at most, and how many deliveries to run at once so that each
 * slot has its next message claimed when its send returns: the claim's round trip (a DynamoDB
 * transaction) is then off the provider's clock. A claimed message waits at most one send for its slot.
 */
export function withSendSlots(
  deps: SendWorkerDependencies,
  slots: number,
): { deps: SendWorkerDependencies; concurrency: number } {
  const size = Math.max(1, slots);
  return { deps: { ...deps, sendSlots: new Gate(size) }, concurrency: size * DELIVERIES_PER_SEND_SLOT };
}

const addressKeyOf = (i: SendInstruction) => `${i.channel}:${i.address}`;

/** One delivery of a queue message: decide, claim, send, record. Safe to run twice. */
export async function processDelivery(
  delivery: QueueDelivery,
  control: QueueControl,
  deps: SendWorkerDependencies,
): Promise<DeliveryResult> {
  const parsed = instructionSchema.safeParse(safeJson(delivery.body));
  if (!parsed.success) {
    deps.logger.error('unreadable send instruction; dead-lettered', { messageId: delivery.messageId });
    await control.deadLetter(delivery, 'unreadable send instruction');
    return 'done';
  }
  const m = parsed.data;
  const log = { key: m.key, kind: m.kind, to: m.address, receiveCount: delivery.receiveCount };
  const now = deps.clock.now();

  if (now.getTime() >= Date.parse(m.expiresAt)) {
    await finish(deps, m, ['queued'], 'expired', now, `stale since ${m.expiresAt}`);
    deps.logger.info('expired; not sent', log);
    return 'done';
  }
  const holdUntil = sendableFrom(m, now);
  if (holdUntil) {
    const seconds = Math.ceil((holdUntil.getTime() - now.getTime()) / 1000);
    deps.logger.info('held until it may be sent', { ...log, until: holdUntil.toISOString() });
    // The sweeper knows to wait for it (one write per hold; a send on time pays none).
    await deps.repository.expectBy(m.key, holdUntil);
    return hold(delivery, control, seconds, deps);
  }

  const windowMs = deps.policy.loopWindowMinutes * 60_000;
  const windowStart = Math.floor(now.getTime() / windowMs) * windowMs;
  const claim = await deps.repository.claim({
    key: m.key,
    contactId: m.contactId,
    addressKey: addressKeyOf(m),
    now,
    broadcastId: m.broadcastId,
    // Defence in depth: only a reply ever passes an opt-out, whatever the queue message says.
    ignoresOptOut: m.ignoresOptOut === true && m.kind === 'reply',
    loopGuard: {
      bucket: `${createHash('sha256').update(m.body).digest('hex').slice(0, 32)}#${windowStart}`,
      limit: deps.policy.loopGuardLimit,
      expiresAt: new Date(windowStart + 2 * windowMs),
    },
  });
  switch (claim.result) {
    case 'opted-out':
      await finish(deps, m, ['queued'], 'suppressed', now, 'contact opted out or address invalid');
      deps.logger.info('suppressed at send time', log);
      return 'done';
    case 'cancelled':
      await finish(deps, m, ['queued'], 'cancelled', now, 'the broadcast was cancelled');
      deps.logger.info('broadcast cancelled; not sent', log);
      return 'done';
    case 'loop-blocked':
      await finish(deps, m, ['queued'], 'blocked', now, 'loop guard: too many identical messages');
      deps.logger.warn('loop guard blocked a message', log);
      return 'done';
    case 'not-queued':
      return settleUnclaimable(m, claim.current, now, deps, log);
    case 'claimed':
      break;
  }

  const channel = deps.channels[m.channel];
  if (!channel) {
    await finish(deps, m, ['sending'], 'failed', deps.clock.now(), `no ${m.channel} channel configured`);
    countFailed(deps, m, 'no-channel');
    deps.logger.error('no channel for message', log);
    return 'done';
  }
  const send = async () => {
    await deps.pace?.();
    return channel.send(m.address, m.body, {
      statusCallbackUrl: deps.statusCallbackUrl?.(m.key),
      kind: m.kind,
      key: m.key,
    });
  };
  try {
    const { providerId, provider, template } = await (deps.sendSlots ? deps.sendSlots.run(send) : send());
    const recorded = deps.repository.transition({
      key: m.key,
      from: ['sending'],
      to: 'sent',
      at: deps.clock.now(),
      providerId,
      // A mainland message went by template: the record keeps which, with what, as the phone shows it.
      ...(template || provider ? { set: sentBy(provider, template) } : {}),
      returnItem: false,
    });
    deps.metrics?.count(METRIC.messagesSent, { channel: m.channel });
    deps.logger.info('sent', { ...log, providerId });
    if (deps.pendingWrites) deps.pendingWrites.add(recorded);
    else await recorded;
    return 'done';
  } catch (error) {
    return onSendFailure(error, m, delivery, control, deps, log);
  }
}

/** Kept clear of the 12-hour cap: the clocks of SQS and the worker are not the same clock. */
const VISIBILITY_MARGIN_SECONDS = 120;

/**
 * Hides the delivery for `seconds`, within what SQS allows: 12 hours from the message's first
 * receipt. Longer, it stays hidden up to that cap and then continues on a new message (≤ 15 min
 * delay, a fresh 12 hours), so a hold of a day or a long backoff neither fails into the dead-letter
 * queue nor leaves the record `queued` without a queue message. The old message is then deleted;
 * if that delete is lost, the claim makes the second message harmless.
 */
async function hold(
  delivery: QueueDelivery,
  control: QueueControl,
  seconds: number,
  deps: SendWorkerDependencies,
): Promise<DeliveryResult> {
  const now = deps.clock.now().getTime();
  const firstReceived = (delivery.firstReceivedAt ?? deps.clock.now()).getTime();
  const left = Math.floor(
    (firstReceived + (SQS_MAX_VISIBILITY_SECONDS - VISIBILITY_MARGIN_SECONDS) * 1000 - now) / 1000,
  );
  if (seconds <= left || !deps.requeue) {
    await control.changeVisibility(delivery, Math.min(seconds, Math.max(0, left)));
    return 'retry';
  }
  if (left >= SQS_MAX_DELAY_SECONDS) {
    // Hidden as long as this message may be; it comes back at the cap and continues on a new one.
    await control.changeVisibility(delivery, left);
    return 'retry';
  }
  await deps.requeue(delivery.body, Math.min(SQS_MAX_DELAY_SECONDS, seconds));
  deps.logger.info('held past what one queue message allows; continued on a new message', {
    messageId: delivery.messageId,
    holdSeconds: seconds,
  });
  return 'done';
}

function sentBy(provider: string | undefined, template: SentTemplate | undefined) {
  return {
    ...(provider ? { provider } : {}),
    ...(template
      ? {
          templateCode: template.code,
          templateParams: JSON.stringify(template.params),
          providerBody: template.text,
          providerSegments: template.segments,
        }
      : {}),
  };
}

/** Not yet: before notBefore, or (unless urgent) inside the recipient's quiet hours. */
function sendableFrom(m: SendInstruction, now: Date): Date | undefined {
  const notBefore = new Date(m.notBefore);
  if (notBefore > now) return notBefore;
  return m.urgent ? undefined : quietHoursEnd(now, m.quietHours, m.timeZone);
}

async function settleUnclaimable(
  m: SendInstruction,
  item: OutboundMessage | undefined,
  now: Date,
  deps: SendWorkerDependencies,
  log: Record<string, unknown>,
): Promise<DeliveryResult> {
  if (item?.status === 'sending' && item.claimedAt) {
    const claimedFor = (now.getTime() - Date.parse(item.claimedAt)) / 1000;
    if (claimedFor > deps.policy.claimTimeoutSeconds) {
      // The worker that claimed it stopped between claim and outcome: it may have been sent.
      await deps.repository.transition({
        key: m.key,
        from: ['sending'],
        to: 'unknown',
        at: now,
        claimedAt: item.claimedAt,
        detail: 'worker stopped mid-send; not resent',
      });
      deps.logger.warn('outcome unknown after a worker stopped mid-send; not resending', log);
      return 'done';
    }
  }
  deps.logger.info('duplicate delivery; nothing to do', { ...log, status: item?.status });
  return 'done';
}

async function onSendFailure(
  error: unknown,
  m: SendInstruction,
  delivery: QueueDelivery,
  control: QueueControl,
  deps: SendWorkerDependencies,
  log: Record<string, unknown>,
): Promise<DeliveryResult> {
  const at = deps.clock.now();
  const failure = error instanceof SendFailure ? error : undefined;
  const detail = failure
    ? `${failure.kind}${failure.providerCode ? ` ${failure.providerCode}` : ''}`
    : 'error';
  const code =
    failure?.providerCode !== undefined ? String(failure.providerCode) : (failure?.kind ?? 'unknown');
  switch (failure?.kind) {
    case 'opted-out':
      await deps.contacts.markOptedOut(m.contactId, at);
      await finish(deps, m, ['sending'], 'suppressed', at, detail);
      deps.logger.info('recipient has blocked us; contact opted out', log);
      return 'done';
    case 'invalid-address':
      await deps.contacts.markAddressInvalid(m.contactId, addressKeyOf(m));
      await finish(deps, m, ['sending'], 'failed', at, detail);
      countFailed(deps, m, code);
      deps.logger.warn('address cannot receive; marked invalid', log);
      return 'done';
    case 'unreachable': {
      const copy = await deps.reroute?.(m, failure.message);
      if (copy) {
        await finish(deps, m, ['sending'], 'rerouted', at, `${failure.message}; sent as ${copy}`);
        deps.logger.info('channel cannot reach the contact now; rerouted', { ...log, copy });
      } else {
        await finish(deps, m, ['sending'], 'failed', at, `${failure.message}; no other channel`);
        countFailed(deps, m, code);
        deps.logger.warn('channel cannot reach the contact and there is no other', log);
      }
      return 'done';
    }
    case 'rejected':
      await finish(deps, m, ['sending'], 'failed', at, detail);
      countFailed(deps, m, code);
      deps.logger.error('provider rejected the message', { ...log, error: error as Error });
      return 'done';
    case 'retryable': {
      const released = await deps.repository.transition({
        key: m.key,
        from: ['sending'],
        to: 'queued',
        at,
        detail,
      });
      const attempts = released?.attempts ?? deps.policy.maxAttempts;
      if (attempts >= deps.policy.maxAttempts) {
        await finish(deps, m, ['queued'], 'failed', at, `gave up after ${attempts} attempts (${detail})`);
        await control.deadLetter(delivery, `gave up after ${attempts} attempts: ${detail}`);
        countFailed(deps, m, code);
        deps.logger.error('send failed for good; dead-lettered', { ...log, attempts });
        return 'done';
      }
      const delay = retryDelaySeconds(attempts, deps.random);
      deps.logger.warn('send failed; will retry', { ...log, attempts, retryInSeconds: delay, detail });
      return hold(delivery, control, delay, deps);
    }
    default:
      // A timeout after the request left, or an error we cannot place: it may have been sent.
      await finish(deps, m, ['sending'], 'unknown', at, detail);
      countFailed(deps, m, 'unknown');
      deps.logger.error('send outcome unknown; not resending', { ...log, error: error as Error });
      return 'done';
  }
}

/**
 * A message that will not be sent (or whose outcome is unknown): by channel for the failure-rate
 * alarm, and by code (a SendFailure kind or the provider's error code: a bounded set) to see why.
 */
function countFailed(deps: SendWorkerDependencies, m: SendInstruction, code: string): void {
  deps.metrics?.count(METRIC.messagesFailed, { channel: m.channel });
  deps.metrics?.count(METRIC.messagesFailedByCode, { channel: m.channel, errorCode: code });
}

async function finish(
  deps: SendWorkerDependencies,
  m: SendInstruction,
  from: OutboundStatus[],
  to: OutboundStatus,
  at: Date,
  detail: string,
): Promise<void> {
  await deps.repository.transition({ key: m.key, from, to, at, detail });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
