import { WechatInbound } from '#lib/channels/wechat/wechat-inbound.ts';
import type { Config } from '#lib/config/core.ts';
import { wechatInboundSettings } from '#lib/config/wechat.ts';
import type { WechatWebhookDependencies } from '#lib/http/wechat-webhook.ts';
import { InProcessLateReplies, LambdaLateReplies } from '#lib/inbound/wechat-late-replies.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { HandledMessageRepository } from '#lib/store/conversation/handled-message-repository.ts';
import { WechatWindowRepository } from '#lib/store/conversation/wechat-window-repository.ts';
import { accessOf } from '#lib/store/iam-actions.ts';
import { LinkCodeRepository } from '#lib/store/roster/link-code-repository.ts';
import { type Adapters, asFunction, defaultAdapters } from '#lib/wiring/adapters.ts';
import { CONVERSATION_TURNS_BUILD, conversationTurns } from '#lib/wiring/conversation-turns.ts';

/** Everything the WeChat webhook may send to AWS: the union over what its wiring builds. */
export const WECHAT_WEBHOOK_ACCESS = accessOf(
  ...CONVERSATION_TURNS_BUILD,
  LinkCodeRepository,
  HandledMessageRepository,
  WechatWindowRepository,
  LambdaLateReplies,
);

/**
 * The adapters behind the WeChat webhook; `overrides` injects fakes or failures in tests. In AWS
 * (`lambdaFunctionName` given) late replies go through the function's own async invocation; in one
 * process they carry on in the background.
 */
export function createWechatWebhookDependencies(
  config: Config,
  logger: Logger,
  overrides: Partial<WechatWebhookDependencies> = {},
  all: Adapters = defaultAdapters(config),
  lambdaFunctionName?: string,
): WechatWebhookDependencies {
  const adapters = asFunction(all, 'wechat-webhook');
  const settings = wechatInboundSettings(config);
  const { client, clock } = adapters;
  const tableName = config.TABLE_NAME;
  // GB from a coordinator's WeChat works as by SMS: the same turns.
  const { turns, roster, outbound } = conversationTurns(config, logger, adapters);
  return {
    inbound: new WechatInbound({
      token: settings.token,
      appId: settings.appId,
      encodingAesKey: settings.encodingAesKey,
      requireEncryption: settings.requireEncryption,
      now: () => clock.now(),
    }),
    ...turns,
    roster,
    linkCodes: new LinkCodeRepository({ client, tableName }),
    handled: new HandledMessageRepository({
      client,
      tableName,
      messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS,
    }),
    windows: new WechatWindowRepository({ client, tableName }),
    replyBudgetMs: settings.replyBudgetMs,
    outbound,
    lateReplies: lambdaFunctionName
      ? new LambdaLateReplies({ functionName: lambdaFunctionName, region: config.AWS_REGION, logger })
      : new InProcessLateReplies({ outbound, logger }),
    ...overrides,
  };
}
