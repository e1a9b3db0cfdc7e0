// POST /webhooks/aliyun-sms/up/{secret} (carers' replies) and /report/{secret} (delivery receipts).
// Alibaba Cloud signs nothing: the path secret keeps strangers out. A push is answered 200 only once
// every message in it is durably taken; otherwise 5xx, and the provider pushes it again.
import {
  ALIYUN_ACCEPTED,
  type AliyunReport,
  parseReportPush,
  parseUplinkPush,
} from '#lib/channels/aliyun-sms/aliyun-sms-callbacks.ts';
import { DependencyError } from '#lib/errors.ts';
import {
  callbackKind,
  type DomesticSmsWebhookDependencies,
  inParallel,
  recordReceipt,
  takeReply,
} from '#lib/http/domestic-sms-callbacks.ts';
import { createHttpHandler } from '#lib/http/http-handler.ts';
import type { WebhookRequest, WebhookResponse } from '#lib/ports/channel.ts';

export type AliyunSmsWebhookDependencies = DomesticSmsWebhookDependencies;

const accepted = (): WebhookResponse => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: ALIYUN_ACCEPTED,
});

export async function handleAliyunSmsWebhook(
  request: WebhookRequest,
  deps: AliyunSmsWebhookDependencies,
): Promise<WebhookResponse> {
  const kind = callbackKind(request.url, 'aliyun-sms', ['up', 'report'], deps.callbackSecrets);
  return kind === 'up' ? takeUplinks(request, deps) : takeReports(request, deps);
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
      for (const item of items) await takeReply(item, deps);
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

function takeReport(report: AliyunReport, deps: AliyunSmsWebhookDependencies): Promise<void> {
  return recordReceipt(
    {
      key: report.out_id || undefined,
      providerId: report.biz_id,
      delivered: report.success,
      providerStatus: report.err_code,
    },
    deps,
  );
}

export const createAliyunSmsWebhookHandler = (deps: AliyunSmsWebhookDependencies, publicUrl: string) =>
  createHttpHandler(
    'aliyun sms webhook',
    (request) => handleAliyunSmsWebhook(request, deps),
    deps.logger,
    publicUrl,
  );
