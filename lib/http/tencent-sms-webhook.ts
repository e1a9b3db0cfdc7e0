// POST /webhooks/tencent-sms/reply/{secret} (a carer's reply) and /status/{secret} (delivery status).
// Tencent Cloud signs nothing: the path secret keeps strangers out. A callback is answered
// {"result":0,"errmsg":"OK"} only once what it carries is durably taken; otherwise 5xx, and Tencent
// calls again. The shared parts are the Alibaba Cloud callbacks' own (domestic-sms-callbacks.ts).
import {
  parseReplyCallback,
  parseStatusCallback,
  TENCENT_ACCEPTED,
  type TencentStatus,
} from '#lib/channels/tencent-sms/tencent-sms-callbacks.ts';
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

export type TencentSmsWebhookDependencies = DomesticSmsWebhookDependencies;

const accepted = (): WebhookResponse => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: TENCENT_ACCEPTED,
});

export async function handleTencentSmsWebhook(
  request: WebhookRequest,
  deps: TencentSmsWebhookDependencies,
): Promise<WebhookResponse> {
  const kind = callbackKind(request.url, 'tencent-sms', ['reply', 'status'], deps.callbackSecrets);
  if (kind === 'reply') {
    const reply = parseReplyCallback(request.body, deps.clock.now());
    // Idempotent on the reply's id (mobile + time + text): a second call finds the turn done.
    await takeReply(reply, deps);
    deps.logger.info('reply taken', { messageId: reply.messageId });
    return accepted();
  }
  const push = parseStatusCallback(request.body);
  for (const r of push.refused) deps.logger.warn('status report can never be taken; dropped', r);
  const failures = await inParallel(push.items, deps.concurrency ?? 8, (s) => takeStatus(s, deps), deps);
  if (failures > 0) throw new DependencyError(`${failures} status reports were not recorded`);
  return accepted();
}

function takeStatus(status: TencentStatus, deps: TencentSmsWebhookDependencies): Promise<void> {
  return recordReceipt(
    {
      key: typeof status.ext === 'string' && status.ext !== '' ? status.ext : undefined,
      providerId: status.sid,
      delivered: status.report_status === 'SUCCESS',
      providerStatus: status.errmsg,
    },
    deps,
  );
}

export const createTencentSmsWebhookHandler = (deps: TencentSmsWebhookDependencies, publicUrl: string) =>
  createHttpHandler(
    'tencent sms webhook',
    (request) => handleTencentSmsWebhook(request, deps),
    deps.logger,
    publicUrl,
  );
