// A coordinator's broadcast from a phone: `GB <text>` (群发) composes a draft for the coordinator's own
// Centre and answers with its preview; YES (是) within 10 minutes approves it, NO (否) cancels it.
// The scheduler tick fans an approved broadcast out. The pending draft lives in the coordinator's
// session, written by the same commit as the turn, so a redelivered message replays its reply.
import { createHash } from 'node:crypto';
import type { BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import { splitPin } from '#lib/broadcasts/gb-pin.ts';
import type { GbPinCheck } from '#lib/broadcasts/gb-pin-guard.ts';
import { compactInput } from '#lib/domain/answer-parsing.ts';
import { type BroadcastTarget, type BroadcastTexts, MAX_BROADCAST_TEXT } from '#lib/domain/broadcast.ts';
import { templateRefusalText } from '#lib/domain/broadcast-template-limits.ts';
import type { TurnOutcome } from '#lib/domain/conversation-engine.ts';
import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { BROADCAST_SMS_MESSAGES, composeReply } from '#lib/domain/message-catalog.ts';
import { type ContactView, LANGUAGES, type Session } from '#lib/domain/model.ts';
import { BroadcastTemplateError, ConflictError, NotFoundError } from '#lib/errors.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { InboundMessage } from '#lib/ports/conversation-store.ts';
import * as z from '#lib/zod.ts';

export const BROADCAST_CONFIRM_FLOW_ID = 'broadcast-confirm';
export const CONFIRM_MINUTES = 10;

export type BroadcastCommand =
  | { kind: 'compose'; text: string }
  /** `GB` with nothing after it. */
  | { kind: 'usage' }
  | { kind: 'yes' }
  | { kind: 'no' };

// GB in any case or width (ＧＢ), or 群发; then an optional colon or comma. After GB a Latin letter
// means another word ('gbye'), not the command; 群发 may run straight into Chinese text.
const GB_PREFIX = /^\s*(?:[gGｇＧ][bBｂＢ](?![A-Za-zＡ-Ｚａ-ｚ])|群发|群發)\s*[:：,，]?/u;
// Said explicitly; a wrong YES sends a message to a whole Centre, so the list stays short. Not OK or
// 确认: a coordinator says those to acknowledge an alert (lib/alerts/coordinator-text-commands.ts).
const YES = new Set(['yes', 'y', '是', '是的', '确定', '好', '好的']);
// Not 'cancel': it is a carrier-standard STOP word and keeps that meaning.
const NO = new Set(['no', 'n', '否', '不', '不要', '取消']);

/**
 * The broadcast command a message is, or undefined. The text after GB is kept as written (not
 * normalised: full-width punctuation is part of a Chinese message); YES/NO match whole messages
 * after the usual normalisation ('Ｙｅｓ', ' 是。').
 */
export function parseBroadcastCommand(text: string): BroadcastCommand | undefined {
  const prefix = GB_PREFIX.exec(text);
  if (prefix) {
    const rest = text.slice(prefix[0].length).trim();
    return rest === '' ? { kind: 'usage' } : { kind: 'compose', text: rest };
  }
  const word = compactInput(text);
  if (YES.has(word)) return { kind: 'yes' };
  if (NO.has(word)) return { kind: 'no' };
  return undefined;
}

/**
 * The message as it may be kept (the message log, an unprocessed message): a GB's PIN masked
 * (`GB **** 明天开会`), so the PIN is never stored in clear. Any other text is kept as it is.
 */
export function maskGbPin(text: string): string {
  const prefix = GB_PREFIX.exec(text);
  if (!prefix) return text;
  const rest = text.slice(prefix[0].length);
  return `${text.slice(0, prefix[0].length)}${rest.replace(/^(\s*)[0-9０-９]{4,8}(?=[\s:：,，]|$)/u, '$1****')}`;
}

/** One draft per inbound message, so a redelivered GB composes nothing new. */
export function broadcastIdFor(inbound: Pick<InboundMessage, 'channel' | 'messageId'>): string {
  const hash = createHash('sha256').update(`${inbound.channel}:${inbound.messageId}`).digest('hex');
  return `sms-${hash.slice(0, 32)}`;
}

/** The coordinator's own Centre, every carer and parent, one text for every language. */
export function smsBroadcastTarget(
  contact: Pick<ContactView, 'centreId'>,
  text: string,
): { target: BroadcastTarget; texts: BroadcastTexts } {
  return {
    target: { centreIds: [contact.centreId], roles: ['carer', 'parent'], categories: [], languages: [] },
    texts: Object.fromEntries(LANGUAGES.map((l) => [l, text])),
  };
}

/** The session that holds a draft waiting for YES. */
export function confirmSession(broadcastId: string, now: Date): Session {
  return {
    flowId: BROADCAST_CONFIRM_FLOW_ID,
    flowVersion: 1,
    week: isoWeekOf(now),
    childIndex: 0,
    stepId: 'confirm',
    attempts: 0,
    startedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + CONFIRM_MINUTES * 60_000).toISOString(),
    broadcastId,
  };
}

const pendingOf = (session: Session | undefined): (Session & { broadcastId: string }) | undefined =>
  session?.flowId === BROADCAST_CONFIRM_FLOW_ID && session.broadcastId !== undefined
    ? { ...session, broadcastId: session.broadcastId }
    : undefined;

const isLive = (session: Session, now: Date): boolean => now.getTime() < Date.parse(session.expiresAt);

// The part of the stored preview the reply quotes (stored as a loose record).
const previewSchema = z.lazy(() =>
  z.object({
    recipients: z.number(),
    smsSegments: z.number(),
    estimatedCost: z.object({ amount: z.number(), upTo: z.optional(z.number()), currency: z.string() }),
    domestic: z.optional(z.object({ amount: z.number(), currency: z.string(), recipients: z.number() })),
    languages: z.array(z.object({ language: z.string(), segments: z.number(), sample: z.string() })),
  }),
);

/** `0.07 USD`, or `0.07–0.10 USD` when WeChat recipients may have to get it by SMS. */
const costText = (c: z.output<typeof previewSchema>['estimatedCost']): string =>
  c.upTo !== undefined && c.upTo > c.amount
    ? `${c.amount}–${c.upTo} ${c.currency}`
    : `${c.amount} ${c.currency}`;

/** Twilio's part, and the domestic provider's for +86 mobiles beside it when there are any. */
const previewCostText = (p: z.output<typeof previewSchema>): string => {
  const twilio = costText(p.estimatedCost);
  if (p.domestic === undefined || p.domestic.recipients === 0) return twilio;
  const domestic = `${p.domestic.amount} ${p.domestic.currency}`;
  return p.domestic.recipients === p.recipients ? domestic : `${domestic} + ${twilio}`;
};

// After an approval nothing may fail the turn (a retry would find it approved): read leniently.
const recipientsOf = (preview: Record<string, unknown>): number =>
  typeof preview.recipients === 'number' ? preview.recipients : 0;

export type BroadcastCommands = Pick<BroadcastService, 'compose' | 'approve' | 'cancel' | 'discard' | 'get'>;

export interface CoordinatorTurnInput {
  inbound: Pick<InboundMessage, 'channel' | 'messageId' | 'body'>;
  contact: ContactView;
  /** The session stored on the address (may be expired). */
  session: Session | undefined;
  now: Date;
}

/** Either the turn is answered here, or the engine takes it with the session it should see. */
export type CoordinatorTurn =
  | { kind: 'handled'; outcome: TurnOutcome }
  | { kind: 'engine'; session: Session | undefined };

/**
 * A coordinator's message, seen first by the broadcast commands. Every call it makes is safe to
 * repeat (compose is idempotent on the id; approve and cancel answer a repeat with a conflict), since
 * a turn is retried when its commit loses a race.
 */
export async function broadcastBySms(
  input: CoordinatorTurnInput,
  broadcasts: BroadcastCommands,
  pins: GbPinCheck,
  logger: Logger,
): Promise<CoordinatorTurn> {
  const { contact, now } = input;
  const command = parseBroadcastCommand(input.inbound.body);
  const pending = pendingOf(input.session);
  const m = BROADCAST_SMS_MESSAGES[contact.language];
  const reply = (text: string, session: Session | null): CoordinatorTurn => ({
    kind: 'handled',
    outcome: {
      replies: [composeReply(contact.language, [text])],
      session,
      answers: [],
      completed: [],
      alerts: [],
      contactChanges: {},
      childMessages: [],
      parentAnswers: [],
    },
  });
  const unchanged = input.session ?? null;

  if (
    command === undefined ||
    ((command.kind === 'yes' || command.kind === 'no') && input.session && !pending)
  ) {
    // The coordinator moved on: a draft still waiting is not going to be confirmed.
    if (pending && isLive(pending, now)) await discardDraft(broadcasts, pending.broadcastId, contact, logger);
    return { kind: 'engine', session: pending ? undefined : input.session };
  }
  switch (command.kind) {
    case 'usage':
      return reply(m.usage, unchanged);
    case 'compose': {
      // The sender number can be forged; the PIN in front of the message is what a forger lacks.
      const split = splitPin(command.text);
      if (!split) return reply(m.pinMissing, unchanged);
      if (split.message === '') return reply(m.usage, unchanged);
      const verdict = await pins.check(contact, split.pin, input.inbound.messageId, now);
      if (verdict.kind === 'not-set') return reply(m.pinNotSet(contact.centrePhone), unchanged);
      if (verdict.kind === 'locked') return reply(m.locked(contact.centrePhone), unchanged);
      if (verdict.kind === 'wrong') return reply(m.pinWrong(verdict.left), unchanged);
      const text = split.message;
      if (text.length > MAX_BROADCAST_TEXT)
        return reply(m.tooLong(text.length, MAX_BROADCAST_TEXT), unchanged);
      const broadcastId = broadcastIdFor(input.inbound);
      if (pending && pending.broadcastId !== broadcastId)
        await discardDraft(broadcasts, pending.broadcastId, contact, logger);
      let b: Awaited<ReturnType<BroadcastCommands['compose']>>;
      try {
        b = await broadcasts.compose({
          broadcastId,
          ...smsBroadcastTarget(contact, text),
          // Where the coordinator wrote from: a text message or WeChat.
          source: input.inbound.channel === 'wechat' ? 'wechat' : 'sms',
          createdBy: contact.contactId,
        });
      } catch (error) {
        // A +86 provider's templates cannot carry it: nothing was written; say why and how much fits.
        if (!(error instanceof BroadcastTemplateError)) throw error;
        // A draft that was waiting has been dropped for this one: nothing is left to confirm.
        return reply(templateRefusalText(error.refusals, contact.language), pending ? null : unchanged);
      }
      const preview = previewSchema.parse(b.preview);
      if (preview.recipients === 0) {
        await discardDraft(broadcasts, broadcastId, contact, logger);
        return reply(m.noRecipients, null);
      }
      const lang = preview.languages.find((l) => l.language === contact.language) ?? preview.languages[0];
      const shown = m.preview({
        recipients: preview.recipients,
        centreName: contact.centreName,
        segments: lang?.segments ?? 0,
        totalSegments: preview.smsSegments,
        cost: previewCostText(preview),
        sample: lang?.sample ?? text,
      });
      return reply(shown, confirmSession(broadcastId, now));
    }
    case 'yes': {
      if (!pending) return reply(m.nothingPending, null);
      if (!isLive(pending, now)) return reply(m.expired, null);
      const status = await approve(broadcasts, pending.broadcastId, contact);
      if (status instanceof BroadcastTemplateError) {
        // The provider or its limit changed since the preview: this draft can never go.
        await discardDraft(broadcasts, pending.broadcastId, contact, logger);
        return reply(templateRefusalText(status.refusals, contact.language), null);
      }
      if (status === 'cancelled') return reply(m.cancelled, null);
      if (status === 'gone') return reply(m.expired, null);
      return reply(m.approved(status.recipients), null);
    }
    case 'no':
      if (!pending) return reply(m.nothingPending, null);
      await cancelQuietly(broadcasts, pending.broadcastId, contact, logger);
      return reply(m.cancelled, null);
  }
}

/** Approve; a conflict is a concurrent duplicate that approved first (or a cancel via the API). */
async function approve(
  broadcasts: BroadcastCommands,
  broadcastId: string,
  contact: ContactView,
): Promise<{ recipients: number } | 'cancelled' | 'gone' | BroadcastTemplateError> {
  try {
    const b = await broadcasts.approve(broadcastId, contact.contactId);
    return { recipients: recipientsOf(b.preview) };
  } catch (error) {
    if (error instanceof NotFoundError) return 'gone';
    if (error instanceof BroadcastTemplateError) return error;
    if (!(error instanceof ConflictError)) throw error;
    const b = await broadcasts.get(broadcastId);
    return b.status === 'cancelled' ? 'cancelled' : { recipients: recipientsOf(b.preview) };
  }
}

/**
 * Drop a draft nobody confirmed (the coordinator moved on, or wrote a new GB). Only a draft: a
 * concurrent YES from the same phone may have approved it meanwhile, and that stands.
 */
async function discardDraft(
  broadcasts: BroadcastCommands,
  broadcastId: string,
  contact: ContactView,
  logger: Logger,
): Promise<void> {
  if (!(await broadcasts.discard(broadcastId, contact.contactId)))
    logger.info('broadcast by message not discarded: no longer a draft', { broadcastId });
}

/** The coordinator said NO: cancel; one already cancelled or gone is fine (a retried turn cancels twice). */
async function cancelQuietly(
  broadcasts: BroadcastCommands,
  broadcastId: string,
  contact: ContactView,
  logger: Logger,
): Promise<void> {
  try {
    await broadcasts.cancel(broadcastId, contact.contactId);
  } catch (error) {
    if (!(error instanceof ConflictError || error instanceof NotFoundError)) throw error;
    logger.info('broadcast by SMS not cancelled: no longer cancellable', { broadcastId });
  }
}
