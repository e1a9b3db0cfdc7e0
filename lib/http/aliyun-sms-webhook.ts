// POST /webhooks/aliyun-sms/up/{secret} (carers' replies) and /report/{secret} (delivery receipts).
// Alibaba Cloud signs nothing: the path secret keeps strangers out. A push is answered 200 only once
// every message in it is durably taken; otherwise 5xx, and the provider pushes it again.
import { timingSafeEqual } from 'node:crypto';
import {
  ALIYUN_ACCEPTED,
  type AliyunReport,
  parseReportPush,
  parseUplinkPush,
} from '#lib/channels/aliyun-sms/aliyun-sms-callbacks.ts';
import { isDomesticOptOut } from '#lib/domain/keywords.ts';
import { DependencyError, NotFoundError } from '#lib/errors.ts';
import { createHttpHandler } from '#lib/http/http-handler.ts';
import { handleInboundMessage, type InboundDependencies } from '#lib/inbound/handle-inbound-message.ts';
import type { WebhookRequest, WebhookResponse } from '#lib/ports/channel.ts';
import type { InboundMessage } from '#lib/ports/conversation-store.ts';
import type { OutboundPort } from '#lib/ports/outbound.ts';
import type { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';

export interface AliyunSmsWebhookDependencies extends InboundDependencies {
  /** Accepted path secrets: the current one and, while rotating, the previous one. */
  callbackSecrets: readonly string[];
  /** The replies go back as template messages through the send queue (there is no passive reply). */
  outbound: OutboundPort;
  contacts: { findContactIdByAddress(channel: 'sms', address: string): Promise<string | undefined> };
  repository: Pick<DynamoOutboundRepository, 'get' | 'recordProviderStatus'>;
  /** How many senders' messages are worked on at once (one sender's stay in order). */
  concurrency?: number;
}

const PATH = /\/webhooks\/aliyun-sms\/(up|report)\/([^/?#]+)$/;

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

const accepted = (): WebhookResponse => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: ALIYUN_ACCEPTED,
});

export async function handleAliyunSmsWebhook(
  request: WebhookRequest,
  deps: AliyunSmsWebhookDependencies,
): Promise<WebhookResponse> {
  const match = PATH.exec(new URL(request.url).pathname);
  // A wrong secret looks like no route at all, and starts nothing.
  if (!match || !secretMatches(decodeURIComponent(match[2] ?? ''), deps.callbackSecrets)) {
    throw new NotFoundError('no such callback');
  }
  return match[1] === 'up' ? takeUplinks(request, deps) : takeReports(request, deps);
}

async function takeUplinks(
  request: WebhookRequest,
  deps: AliyunSmsWebhookDependencies,
): Promise<WebhookResponse> {
  const push = parseUplinkPush(request.body, deps.clock.now());
  for (const r of push.refused) deps.logger.warn('uplink item can never be taken; dropped', r);
  // One sender's messages in the order they were sent; different senders side by side.
  const bySender = new Map<string, (typeof push.items)[number][]>();
  for (const item of push.items) bySender.set(item.from, [...(bySender.get(item.from) ?? []), item]);
  const queues = [...bySender.values()].map((items) =>
    items.sort((a, b) => a.sendTime.localeCompare(b.sendTime)),
  );
  const failures = await inParallel(
    queues,
    deps.concurrency ?? 8,
    async (items) => {
      for (const item of items) await takeUplink(item, deps);
    },
    deps,
  );
  if (failures > 0) {
    // Every item taken so far is idempotent on its id: the provider's retry redoes only what is missing.
    throw new DependencyError(`${failures} of ${queues.length} senders' messages were not all taken`);
  }
  deps.logger.info('uplink push taken', { messages: push.items.length, refused: push.refused.length });
  return accepted();
}

async function takeUplink(item: InboundMessage, deps: AliyunSmsWebhookDependencies): Promise<void> {
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

async function takeReports(
  request: WebhookRequest,
  deps: AliyunSmsWebhookDependencies,
): Promise<WebhookResponse> {
  const push = parseReportPush(request.body);
  for (const r of push.refused) deps.logger.warn('receipt can never be taken; dropped', r);
  const failures = await inParallel(
    push.items,
    deps.concurrency ?? 8,
    (report) => takeReport(report, deps),
    deps,
  );
  if (failures > 0) throw new DependencyError(`${failures} receipts were not recorded`);
  return accepted();
}

async function takeReport(report: AliyunReport, deps: AliyunSmsWebhookDependencies): Promise<void> {
  if (!report.out_id) {
    deps.logger.warn('receipt without our message key', { providerId: report.biz_id });
    return;
  }
  const status = report.success ? 'delivered' : 'undelivered';
  const current = await deps.repository.get(report.out_id);
  if (!current) {
    deps.logger.warn('receipt for an unknown message', { key: report.out_id, providerId: report.biz_id });
    return;
  }
  // The same receipt twice changes nothing.
  if (current.status === status) return;
  await deps.repository.recordProviderStatus({
    key: report.out_id,
    status,
    providerStatus: report.err_code ?? status,
    at: deps.clock.now(),
    errorCode: report.success ? undefined : report.err_code,
  });
}

/** Runs `work` over `items`, `limit` at a time; resolves with how many failed (each logged). */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  deps: Pick<AliyunSmsWebhookDependencies, 'logger'>,
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

export const createAliyunSmsWebhookHandler = (deps: AliyunSmsWebhookDependencies, publicUrl: string) =>
  createHttpHandler(
    'aliyun sms webhook',
    (request) => handleAliyunSmsWebhook(request, deps),
    deps.logger,
    publicUrl,
  );
