// Every key of the single table is built here, so the layout can be read in one place.
import { dueIndexShards } from '#lib/config/due-index.ts';
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
  /** WeChat: the customer-service window the user's last message opened (48 h, 5 messages). */
  wechatWindow: (openId: string): ItemKey => ({ pk: addressPk('wechat', openId), sk: 'CSWINDOW' }),
  /** Wrong link codes sent from this address in one hour (rate limit; TTL). */
  linkFailures: (channel: ChannelName, address: string, hour: string): ItemKey => ({
    pk: addressPk(channel, address),
    sk: `LINKFAIL#${hour}`,
  }),
  /** A one-time code the Centre gave a carer or parent, to link a WeChat account to their contact. */
  linkCode: (code: string): ItemKey => ({ pk: `LINKCODE#${code}`, sk: 'CODE' }),

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
  /** A follow-up of an alert for the scheduler tick (in the due index until done): notify, escalate. */
  alertFollowUp: (centreId: string, alertId: string, step: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `ALERTDUE#${alertId}#${step}`,
  }),
  /** Membership link, so a Centre's coordinators (alert recipients) can be listed with one Query. */
  centreContact: (centreId: string, contactId: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `CONTACT#${contactId}`,
  }),

  /** Membership link, so a Centre's families can be listed with one Query (the roster API). */
  centreFamily: (centreId: string, familyId: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `FAMILY#${familyId}`,
  }),
  /** An erasure on request (PIPL): who, when, what kind, and counts; no personal data. */
  centreAudit: (centreId: string, at: string, auditId: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `AUDIT#${at}#${auditId}`,
  }),

  /** A broadcast: its texts, target, state, preview and fan-out progress (in the due index while due). */
  broadcast: (broadcastId: string): ItemKey => ({ pk: `BROADCAST#${broadcastId}`, sk: 'META' }),
  /** One recipient of a broadcast (written before their message is enqueued): the report reads these. */
  broadcastRecipient: (broadcastId: string, contactId: string): ItemKey => ({
    pk: `BROADCAST#${broadcastId}`,
    sk: `RCPT#${contactId}`,
  }),
  /** Lists a Centre's broadcasts, newest last. */
  centreBroadcast: (centreId: string, createdAt: string, broadcastId: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `BROADCAST#${createdAt}#${broadcastId}`,
  }),

  /** A message lianxin started, once per idempotency key. */
  outbound: (key: string): ItemKey => ({ pk: `OUTBOUND#${key}`, sk: 'MESSAGE' }),

  /** One item per child per ISO week. */
  checkin: (childId: string, week: string): ItemKey => ({ pk: `CHILD#${childId}`, sk: `CHECKIN#${week}` }),

  /** A carer's or parent's weekly schedule: its next step and when it is due (in the due index). */
  schedule: (contactId: string): ItemKey => ({ pk: `CONTACT#${contactId}`, sk: 'SCHEDULE' }),
  /** A parent's answer for one ISO week ("did you talk with your child?"). */
  parentWeek: (contactId: string, week: string): ItemKey => ({
    pk: `CONTACT#${contactId}`,
    sk: `PWEEK#${week}`,
  }),
  /** A Centre's activity post, sorted by its date (YYYY-MM-DD), so a week is one range query. */
  centreActivity: (centreId: string, date: string, activityId: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `ACTIVITY#${date}#${activityId}`,
  }),
  /** A week the Centre paused the rhythm (Spring Festival, holidays): no invitations. */
  centrePause: (centreId: string, week: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `PAUSE#${week}`,
  }),
  /** A task for the Centre's coordinators (open until closed), stored like alerts. */
  centreTask: (centreId: string, taskId: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `TASK#${taskId}`,
  }),
  /** A task's escalation for the scheduler tick (in the due index until done), like ALERTDUE#. */
  taskFollowUp: (centreId: string, taskId: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `TASKDUE#${taskId}#escalate`,
  }),
  /** A parent's message for a child, in the order they came, for the Centre to pass on. */
  childMessage: (centreId: string, messageKey: string): ItemKey => ({
    pk: `CENTRE#${centreId}`,
    sk: `CHILDMSG#${messageKey}`,
  }),
  /** `npm start` only: a coordinator's account in the local user store (Cognito's stand-in). */
  localAccount: (accountId: string): ItemKey => ({ pk: 'LOCALACCOUNTS', sk: `ACCOUNT#${accountId}` }),
} as const;

/**
 * The due index's keys for an item due at `dueAt`: write-sharded by the item's id (FNV-1a), so one
 * Saturday's invitations spread over every shard; within a shard, sorted by due time.
 */
export function dueIndexKeys(itemId: string, dueAt: Date): { dueShard: string; dueKey: string } {
  return { dueShard: dueShard(shardOf(itemId)), dueKey: `${dueAt.toISOString()}#${itemId}` };
}

export const dueShard = (shard: number): string => `DUE#${String(shard).padStart(2, '0')}`;

/** Every due key of a shard that is due at `now` sorts below this. */
export const dueKeyBound = (now: Date): string => `${now.toISOString()}$`;

function shardOf(itemId: string, shards = dueIndexShards().write): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < itemId.length; i++) {
    hash ^= itemId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

export const prefixes = {
  familyPk: (familyId: string) => `FAMILY#${familyId}`,
  contactPk: (contactId: string) => `CONTACT#${contactId}`,
  centrePk: (centreId: string) => `CENTRE#${centreId}`,
  childPk: (childId: string) => `CHILD#${childId}`,
  child: 'CHILD#',
  contact: 'CONTACT#',
  alert: 'ALERT#',
  alertFollowUp: 'ALERTDUE#',
  checkin: 'CHECKIN#',
  message: 'MSG#',
  activity: 'ACTIVITY#',
  pause: 'PAUSE#',
  task: 'TASK#',
  taskFollowUp: 'TASKDUE#',
  childMessage: 'CHILDMSG#',
  outboundReference: 'OUTREF#',
  family: 'FAMILY#',
  audit: 'AUDIT#',
  job: 'JOB#',
  broadcastPk: (broadcastId: string) => `BROADCAST#${broadcastId}`,
  broadcast: 'BROADCAST#',
  broadcastRecipient: 'RCPT#',
  localAccountPk: 'LOCALACCOUNTS',
  localAccount: 'ACCOUNT#',
} as const;

/** Top-level attribute holding one check-in answer, so one UpdateItem can set several without overlap. */
export const answerAttribute = (itemId: string): string => `answer_${itemId}`;
export const ANSWER_ATTRIBUTE_PREFIX = 'answer_';

/**
 * The reference index's attributes (REFS_INDEX) of an item that names a contact or child outside their
 * own partitions: found by `CONTACT#<id>` or `CHILD#<id>` when they are erased.
 */
export function refAttributes(
  about: { contactId: string } | { childId: string },
  item: ItemKey,
): { refPk: string; refSk: string } {
  const refPk = 'childId' in about ? `CHILD#${about.childId}` : `CONTACT#${about.contactId}`;
  return { refPk, refSk: `${item.pk}\u0000${item.sk}` };
}

/** The item a reference index entry points at (see refAttributes). */
export function referencedKey(refSk: string): ItemKey {
  const at = refSk.indexOf('\u0000');
  return { pk: refSk.slice(0, at), sk: refSk.slice(at + 1) };
}

/**
 * In a contact's partition: the outbound message about a child (indexed by the child) that was sent to
 * the contact, so erasing the contact alone finds it too.
 */
export const outboundReference = (contactId: string, key: string): ItemKey => ({
  pk: `CONTACT#${contactId}`,
  sk: `OUTREF#${key}`,
});

/** DynamoDB TTL wants epoch seconds. */
export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
