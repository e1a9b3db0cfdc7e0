// What the domestic SMS providers' callbacks share (Alibaba Cloud's and Tencent Cloud's): the path
// secret, a carer's reply taken as a conversation turn with its answers back by template, a delivery
// receipt recorded on the outbound record, and pushes worked on a few at a time.
import { timingSafeEqual } from 'node:crypto';
import { isDomesticOptOut } from '#lib/domain/keywords.ts';
import type { OutboundStatus } from '#lib/domain/outbound-message.ts';
import { NotFoundError } from '#lib/errors.ts';
import { handleInboundMessage, type InboundDependencies } from '#lib/inbound/handle-inbound-message.ts';
import type { InboundMessage } from '#lib/ports/conversation-store.ts';
import type { OutboundPort } from '#lib/ports/outbound.ts';
import type { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';

export interface DomesticSmsWebhookDependencies extends InboundDependencies {
  /** Accepted path secrets: the current one and, while rotating, the previous one. */
  callbackSecrets: readonly string[];
  /** The replies go back as template messages through the send queue (there is no passive reply). */
  outbound: OutboundPort;
  contacts: { findContactIdByAddress(channel: 'sms', address: string): Promise<string | undefined> };
  repository: Pick<DynamoOutboundRepository, 'get' | 'recordProviderStatus'>;
  /** How many senders' messages are worked on at once (one sender's stay in order). */
  concurrency?: number;
}

/** Constant time on the secret's bytes; every accepted secret is compared, so timing says nothing. */
export function secretMatches(given: string, accepted: readonly string[]): boolean {
  const a = Buffer.from(given, 'utf8');
  let match = false;
  for (const secret of accepted) {
    const b = Buffer.from(secret, 'utf8');
    // Compare against itself when lengths differ: the same work, never a match.
    const same = a.length === b.length ? timingSafeEqual(a, b) : timingSafeEqual(b, b) && false;
    match = match || same;
  }
  return match;
}

/**
 * The callback kind named by `/webhooks/{provider}/{kind}/{secret}`, once the secret is right. A wrong
 * secret looks like no route at all, and starts nothing.
 */
export function callbackKind<K extends string>(
  url: string,
  provider: string,
  kinds: readonly K[],
  secrets: readonly string[],
): K {
  const match = new RegExp(`/webhooks/${provider}/(${kinds.join('|')})/([^/?#]+)$`).exec(
    new URL(url).pathname,
  );
  let given = '';
  try {
    given = decodeURIComponent(match?.[2] ?? '');
  } catch {
    // A malformed escape is a wrong secret.
  }
  if (!match || !secretMatches(given, secrets)) throw new NotFoundError('no such callback');
  return match[1] as K;
}

/** One reply: a conversation turn, its answers enqueued as template messages (idempotent on its id). */
export async function takeReply(item: InboundMessage, deps: DomesticSmsWebhookDependencies): Promise<void> {
  // 拒收/R are the carriers' words for stop: the engine hears its own stop word, the log keeps what came.
  const inbound = isDomesticOptOut(item.body) ? { ...item, body: '退订' } : item;
  const replies = await handleInboundMessage(inbound, deps);
  if (replies.length === 0) return;
  const contactId = await deps.contacts.findContactIdByAddress('sms', item.from);
  if (!contactId) {
    // An unregistered number gets no template message: it would cost and tell them nothing useful.
    deps.logger.info('no reply by template to an unregistered number', { from: item.from });
    return;
  }
  for (const [i, body] of replies.entries()) {
    await deps.outbound.enqueue({
      // Not `reply#…`: the turn's own log already keeps each reply under that key.
      key: `template-reply#${item.messageId}#${i}`,
      recipient: { contactId, channel: 'sms', address: item.from },
      body,
      kind: 'reply',
      urgent: true,
      // An answer to their own message (it may confirm their very opt-out), as a passive reply would be.
      ignoresOptOut: true,
    });
  }
}

/** A delivery receipt, as both providers report one. */
export interface DeliveryReceipt {
  /** Our outbound key, carried by the provider (OutId, SessionContext). */
  key: string | undefined;
  providerId: string;
  delivered: boolean;
  /** The provider's own word for the outcome (an error code, DELIVRD…). */
  providerStatus: string | undefined;
}

/** Records a receipt on the outbound record; the same receipt twice changes nothing. */
export async function recordReceipt(
  receipt: DeliveryReceipt,
  deps: Pick<DomesticSmsWebhookDependencies, 'repository' | 'logger' | 'clock'>,
): Promise<void> {
  if (!receipt.key) {
    deps.logger.warn('receipt without our message key', { providerId: receipt.providerId });
    return;
  }
  const status: OutboundStatus = receipt.delivered ? 'delivered' : 'undelivered';
  const current = await deps.repository.get(receipt.key);
  if (!current) {
    deps.logger.warn('receipt for an unknown message', { key: receipt.key, providerId: receipt.providerId });
    return;
  }
  if (current.status === status) return;
  await deps.repository.recordProviderStatus({
    key: receipt.key,
    status,
    providerStatus: receipt.providerStatus ?? status,
    at: deps.clock.now(),
    errorCode: receipt.delivered ? undefined : receipt.providerStatus,
  });
}

/** Runs `work` over `items`, `limit` at a time; resolves with how many failed (each logged). */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  deps: Pick<DomesticSmsWebhookDependencies, 'logger'>,
): Promise<number> {
  let next = 0;
  let failed = 0;
  const runner = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item).catch((error: unknown) => {
        failed++;
        deps.logger.error('push item not taken; the provider will push again', { error: error as Error });
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return failed;
}
