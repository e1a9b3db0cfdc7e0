// Every key of the single table is built here, so the layout can be read in one place.
import type { ChannelName } from '#lib/domain/model.ts';

export interface ItemKey {
  pk: string;
  sk: string;
}

/** Partition of one channel address: what a turn reads and writes. */
export const addressPk = (channel: ChannelName, address: string): string => `ADDR#${channel}#${address}`;

export const keys = {
  /** ContactView projection of the contact that owns this address. */
  contactView: (channel: ChannelName, address: string): ItemKey => ({
    pk: addressPk(channel, address),
    sk: 'CONTACT',
  }),
  /** The conversation in progress on this address, with its optimistic-lock version. */
  session: (channel: ChannelName, address: string): ItemKey => ({
    pk: addressPk(channel, address),
    sk: 'SESSION',
  }),
  /** Inbound message log entry; its existence is the turn's dedupe marker. */
  message: (channel: ChannelName, address: string, messageId: string): ItemKey => ({
    pk: addressPk(channel, address),
    sk: `MSG#${messageId}`,
  }),
  /** Inbound message kept after a processing failure, to replay. */
  unprocessed: (channel: ChannelName, address: string, messageId: string): ItemKey => ({
    pk: addressPk(channel, address),
    sk: `UNPROCESSED#${messageId}`,
  }),
  /** Minimal trace of an unknown sender (no body), to rate-limit the polite reply. */
  unregistered: (channel: ChannelName, address: string): ItemKey => ({
    pk: addressPk(channel, address),
    sk: 'UNREGISTERED',
  }),

  contactProfile: (contactId: string): ItemKey => ({ pk: `CONTACT#${contactId}`, sk: 'PROFILE' }),

  familyMeta: (familyId: string): ItemKey => ({ pk: `FAMILY#${familyId}`, sk: 'META' }),
  familyChild: (familyId: string, childId: string): ItemKey => ({
    pk: `FAMILY#${familyId}`,
    sk: `CHILD#${childId}`,
  }),
  /** Membership link, so a family's carers and parents can be listed with one Query. */
  familyContact: (familyId: string, contactId: string): ItemKey => ({
    pk: `FAMILY#${familyId}`,
    sk: `CONTACT#${contactId}`,
  }),

  centreMeta: (centreId: string): ItemKey => ({ pk: `CENTRE#${centreId}`, sk: 'META' }),
  centreAlert: (centreId: string, alertId: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `ALERT#${alertId}`,
  }),
  /** Membership link, so a Centre's coordinators (alert recipients) can be listed with one Query. */
  centreContact: (centreId: string, contactId: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `CONTACT#${contactId}`,
  }),

  /** A message lianxin started, once per idempotency key. */
  outbound: (key: string): ItemKey => ({ pk: `OUTBOUND#${key}`, sk: 'MESSAGE' }),

  /** One item per child per ISO week. */
  checkin: (childId: string, week: string): ItemKey => ({ pk: `CHILD#${childId}`, sk: `CHECKIN#${week}` }),
} as const;

export const prefixes = {
  familyPk: (familyId: string) => `FAMILY#${familyId}`,
  centrePk: (centreId: string) => `CENTRE#${centreId}`,
  childPk: (childId: string) => `CHILD#${childId}`,
  child: 'CHILD#',
  contact: 'CONTACT#',
  alert: 'ALERT#',
  checkin: 'CHECKIN#',
  message: 'MSG#',
} as const;

/** Top-level attribute holding one check-in answer, so one UpdateItem can set several without overlap. */
export const answerAttribute = (itemId: string): string => `answer_${itemId}`;
export const ANSWER_ATTRIBUTE_PREFIX = 'answer_';

/** DynamoDB TTL wants epoch seconds. */
export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
