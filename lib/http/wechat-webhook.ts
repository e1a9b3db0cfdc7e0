import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { WechatInbound } from '#lib/channels/wechat/wechat-inbound.ts';
import { ValidationError } from '#lib/errors.ts';
import { createHttpHandler } from '#lib/http/http-handler.ts';
import {
  handleWechatMessage,
  type WechatMessageDependencies,
  type WechatOutcome,
} from '#lib/inbound/handle-wechat-message.ts';
import { enqueueLateReplies, type LateReplies, lateReplyMessage } from '#lib/inbound/wechat-late-replies.ts';
import type { WebhookRequest, WebhookResponse } from '#lib/ports/channel.ts';
import type { OutboundPort } from '#lib/ports/outbound.ts';

export interface WechatWebhookDependencies extends WechatMessageDependencies {
  inbound: WechatInbound;
  /** From the request's arrival to the passive reply; past it, `success` and late replies. */
  replyBudgetMs: number;
  lateReplies: LateReplies;
  /** Where late replies are enqueued (the send queue). */
  outbound: OutboundPort;
}

const TOO_LATE = Symbol('too late');

/**
 * GET /webhooks/wechat: WeChat's server check, answered with `echostr` (403 unless signed).
 * POST /webhooks/wechat: one message or event → the passive reply, in plaintext or safe mode as the
 * request came (plaintext is refused with 403 when the settings require encryption). WeChat waits 5 s and then retries (three times); if the answer is not ready within
 * the budget, the webhook answers `success` (no retry, no "service unavailable" shown to the user)
 * and the replies follow as customer-service messages.
 */
export async function handleWechatWebhook(
  request: WebhookRequest,
  deps: WechatWebhookDependencies,
): Promise<WebhookResponse> {
  if (request.method === 'GET') {
    const echo = deps.inbound.verifyEcho(request);
    return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: echo };
  }
  if (request.method !== 'POST') throw new ValidationError('use GET or POST');
  const opened = deps.inbound.open(request);
  const work = handleWechatMessage(opened.message, deps);
  const deadline = (request.receivedAt ?? Date.now()) + deps.replyBudgetMs;
  const outcome = await beforeDeadline(work, deadline);
  if (outcome === TOO_LATE) {
    deps.logger.warn('reply not ready within the budget; answering success, replies to follow', {
      budgetMs: deps.replyBudgetMs,
    });
    await deps.lateReplies.defer(opened.message, work);
    return deps.inbound.success();
  }
  // A passive reply carries one message; the engine rarely says more than one, and then in one breath.
  const text = outcome.replies.join('\n\n');
  return text === '' ? deps.inbound.success() : deps.inbound.reply(opened, text);
}

async function beforeDeadline(
  work: Promise<WechatOutcome>,
  deadline: number,
): Promise<WechatOutcome | typeof TOO_LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof TOO_LATE>((resolve) => {
    timer = setTimeout(() => resolve(TOO_LATE), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Lambda entry point: API Gateway v2 events (GET/POST) and the function's own late-reply events
 * (see LambdaLateReplies), which finish a message after the webhook answered `success`.
 */
export function createWechatWebhookHandler(deps: WechatWebhookDependencies, publicUrl: string) {
  const http = createHttpHandler(
    'wechat webhook',
    (request) => handleWechatWebhook(request, deps),
    deps.logger,
    publicUrl,
  );
  return async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const late = lateReplyMessage(event);
    if (!late) return http(event, context);
    const outcome = await handleWechatMessage(late, deps);
    await enqueueLateReplies(late, outcome, deps);
    return { statusCode: 200, body: 'late replies enqueued' };
  };
}
