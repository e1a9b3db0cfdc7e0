// Builders for conversation-store tests: a TurnCommit with sensible defaults, overridable per test.
import type { AnswerRecord, ContactView, Session } from '#lib/domain/model.ts';
import type { InboundMessage, TurnCommit } from '#lib/ports/conversation-store.ts';

export const WEEK = '2026-W10';
export const NOW = new Date('2026-03-05T10:00:00.000Z');

let counter = 0;
/** A messageId no other test uses, shaped like a Twilio MessageSid. */
export const newMessageId = (): string =>
  `SM${Date.now().toString(16)}${(counter++).toString(16).padStart(6, '0')}`;

export function inbound(from: string, overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    channel: 'sms',
    from,
    to: '+15005550006',
    body: '1',
    messageId: newMessageId(),
    receivedAt: NOW.toISOString(),
    ...overrides,
  };
}

export function session(overrides: Partial<Session> = {}): Session {
  return {
    flowId: 'carer-weekly',
    flowVersion: 1,
    week: WEEK,
    childIndex: 0,
    stepId: 'mood',
    attempts: 0,
    startedAt: NOW.toISOString(),
    expiresAt: new Date(NOW.getTime() + 48 * 3600_000).toISOString(),
    ...overrides,
  };
}

export function answer(
  childId: string,
  itemId: string,
  value: AnswerRecord['value'],
  raw = String(value),
): AnswerRecord {
  return {
    childId,
    familyId: 'family-li',
    week: WEEK,
    flowId: 'carer-weekly',
    itemId,
    status: 'answered',
    value,
    raw,
    answeredAt: NOW.toISOString(),
  };
}

export function turn(contact: ContactView, overrides: Partial<TurnCommit> = {}): TurnCommit {
  const address = contact.addresses[0];
  if (!address) throw new Error('contact has no address');
  return {
    inbound: inbound(address.address, { channel: address.channel }),
    contact,
    expectedSessionVersion: undefined,
    session: null,
    answers: [],
    completed: [],
    alerts: [],
    contactChanges: {},
    replies: ['【连心】收到，谢谢！'],
    now: NOW,
    ...overrides,
  };
}
