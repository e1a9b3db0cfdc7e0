// The life of a message lianxin starts: pure rules, no I/O.
import { SegmentedMessage } from 'sms-segments-calculator';
import type { ChannelName } from '#lib/domain/model.ts';

export const OUTBOUND_KINDS = [
  'alert',
  'invitation',
  'reminder',
  'digest',
  'nudge',
  'broadcast',
  'acknowledgement',
  'reply',
  /** A task for coordinators (e.g. a carer missed two check-ins running): not urgent. */
  'task',
] as const;
export type OutboundKind = (typeof OUTBOUND_KINDS)[number];

/**
 * queued → sending → sent → delivered | undelivered | failed (provider callbacks), or ends early:
 * suppressed (opted out), expired (stale), blocked (loop guard), failed (no retry helps or
 * retries exhausted), unknown (the request left but no answer came; a late callback resolves it),
 * rerouted (its channel could not reach the recipient; a copy went by another, under a derived key),
 * cancelled (its broadcast was cancelled before the worker claimed it).
 */
export const OUTBOUND_STATUSES = [
  'queued',
  'sending',
  'unknown',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'suppressed',
  'expired',
  'blocked',
  'rerouted',
  'cancelled',
] as const;
export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];

/** Statuses only move to a higher rank: a late `sent` callback never overwrites `delivered`. */
export const STATUS_RANK: Record<OutboundStatus, number> = {
  queued: 0,
  sending: 1,
  unknown: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  suppressed: 4,
  expired: 4,
  blocked: 4,
  rerouted: 4,
  cancelled: 4,
};

/** Twilio's MessageStatus values in callbacks, mapped to ours (undefined: history only). */
export function statusFromProvider(providerStatus: string): OutboundStatus | undefined {
  switch (providerStatus) {
    case 'sent':
    case 'delivered':
    case 'undelivered':
    case 'failed':
      return providerStatus;
    case 'read':
      return 'delivered';
    default:
      return undefined; // accepted, scheduled, queued, sending: nothing we did not know
  }
}

export interface QuietHours {
  /** Local HH:MM when quiet starts (e.g. 21:00) and ends (e.g. 08:00); may wrap midnight. */
  start: string;
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '08:00' };
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** How long a message is worth sending, by kind: after that it is dropped, not sent late. */
export const DEFAULT_LIFETIME_HOURS: Record<OutboundKind, number> = {
  alert: 24,
  invitation: 48,
  reminder: 24,
  digest: 72,
  nudge: 24,
  broadcast: 48,
  acknowledgement: 24,
  reply: 1,
  task: 72,
};

export interface OutboundRecipient {
  contactId: string;
  channel: ChannelName;
  address: string;
  timeZone?: string | undefined;
  quietHours?: QuietHours | undefined;
}

/** What the send worker needs, carried in the queue message so it reads nothing before claiming. */
export interface SendInstruction {
  key: string;
  contactId: string;
  channel: ChannelName;
  address: string;
  body: string;
  kind: OutboundKind;
  urgent: boolean;
  notBefore: string;
  expiresAt: string;
  timeZone: string;
  quietHours: QuietHours;
  /** A broadcast's message: the claim checks the broadcast was not cancelled. */
  broadcastId?: string | undefined;
  /** See EnqueueRequest.ignoresOptOut; only ever true on a `reply`. */
  ignoresOptOut?: boolean | undefined;
}

export interface StatusEvent {
  status: OutboundStatus | string;
  at: string;
  detail?: string | undefined;
}

export interface OutboundMessage extends SendInstruction {
  status: OutboundStatus;
  statusRank: number;
  statusHistory: StatusEvent[];
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  attempts: number;
  providerId?: string | undefined;
  claimedAt?: string | undefined;
  createdAt: string;
  /** See EnqueueRequest.aboutChildId. */
  aboutChildId?: string | undefined;
}

export interface EnqueueRequest {
  /** Idempotency key, e.g. `digest#<family>#<week>#<contact>`: one message per key, ever. */
  key: string;
  recipient: OutboundRecipient;
  body: string;
  kind: OutboundKind;
  /** Urgent messages (alerts to coordinators) are not held by quiet hours. */
  urgent?: boolean | undefined;
  notBefore?: Date | undefined;
  expiresAt?: Date | undefined;
  broadcastId?: string | undefined;
  /**
   * A `reply` to the person's own message (they just wrote, so they are in conversation): sent even
   * though they have opted out, as a passive reply would be, so that the confirmation of their own
   * STOP reaches them. An invalid address still stops it. Ignored on any other kind.
   */
  ignoresOptOut?: boolean | undefined;
  /** The child the message is about (the parents' update): erasing the child's family erases it. */
  aboutChildId?: string | undefined;
}

export function segmentsOf(body: string): { segments: number; encoding: 'GSM-7' | 'UCS-2' } {
  const m = new SegmentedMessage(body);
  return { segments: m.segmentsCount, encoding: m.encodingName === 'GSM-7' ? 'GSM-7' : 'UCS-2' };
}

export function newOutboundMessage(request: EnqueueRequest, now: Date): OutboundMessage {
  const notBefore = request.notBefore ?? now;
  const expiresAt =
    request.expiresAt ?? new Date(notBefore.getTime() + DEFAULT_LIFETIME_HOURS[request.kind] * 3_600_000);
  const at = now.toISOString();
  return {
    key: request.key,
    contactId: request.recipient.contactId,
    channel: request.recipient.channel,
    address: request.recipient.address,
    body: request.body,
    kind: request.kind,
    urgent: request.urgent ?? false,
    notBefore: notBefore.toISOString(),
    expiresAt: expiresAt.toISOString(),
    timeZone: request.recipient.timeZone ?? DEFAULT_TIME_ZONE,
    quietHours: request.recipient.quietHours ?? DEFAULT_QUIET_HOURS,
    ...(request.broadcastId === undefined ? {} : { broadcastId: request.broadcastId }),
    // Only a reply may pass an opt-out: nothing lianxin starts on its own ever does.
    ...(request.ignoresOptOut && request.kind === 'reply' ? { ignoresOptOut: true } : {}),
    ...(request.aboutChildId === undefined ? {} : { aboutChildId: request.aboutChildId }),
    ...segmentsOf(request.body),
    status: 'queued',
    statusRank: STATUS_RANK.queued,
    statusHistory: [{ status: 'queued', at }],
    attempts: 0,
    createdAt: at,
  };
}

export function toSendInstruction(m: OutboundMessage): SendInstruction {
  const { key, contactId, channel, address, body, kind, urgent, notBefore, expiresAt, timeZone, quietHours } =
    m;
  const instruction: SendInstruction = {
    key,
    contactId,
    channel,
    address,
    body,
    kind,
    urgent,
    notBefore,
    expiresAt,
    timeZone,
    quietHours,
  };
  if (m.broadcastId !== undefined) instruction.broadcastId = m.broadcastId;
  if (m.ignoresOptOut && m.kind === 'reply') instruction.ignoresOptOut = true;
  return instruction;
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

// Building a DateTimeFormat costs far more than using one: one per time zone, kept.
const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight of `at` in the time zone, and the seconds within that minute. */
function localClock(at: Date, timeZone: string): { minutes: number; seconds: number } {
  let format = clockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    clockFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { minutes: get('hour') * 60 + get('minute'), seconds: get('second') };
}

/**
 * When quiet hours hold a non-urgent message at `now`, the instant they end; undefined when it
 * may go now. Quiet hours may wrap midnight (21:00–08:00).
 */
export function quietHoursEnd(now: Date, quiet: QuietHours, timeZone: string): Date | undefined {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return undefined;
  const { minutes, seconds } = localClock(now, timeZone);
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (!inside) return undefined;
  const wait = (end - minutes + 24 * 60) % (24 * 60);
  return new Date(now.getTime() + wait * 60_000 - seconds * 1000 - now.getMilliseconds());
}

/** Exponential backoff with full jitter: attempt 1 waits up to base, then doubles, capped. */
export function retryDelaySeconds(
  attempt: number,
  random: () => number = Math.random,
  options: { baseSeconds: number; maxSeconds: number } = { baseSeconds: 5, maxSeconds: 900 },
): number {
  const ceiling = Math.min(options.maxSeconds, options.baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(random() * ceiling));
}
