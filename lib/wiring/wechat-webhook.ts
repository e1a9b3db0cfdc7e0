import { CoordinatorAlertNotifier } from '#lib/alerts/coordinator-alert-notifier.ts';
import { WechatInbound } from '#lib/channels/wechat/wechat-inbound.ts';
import type { Config } from '#lib/config.ts';
import { wechatInboundSettings } from '#lib/config-wechat.ts';
import type { WechatWebhookDependencies } from '#lib/http/wechat-webhook.ts';
import { InProcessLateReplies, LambdaLateReplies } from '#lib/inbound/wechat-late-replies.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { BroadcastRepository } from '#lib/store/broadcast-repository.ts';
import { DynamoConversationStore } from '#lib/store/dynamo-conversation-store.ts';
import { HandledMessageRepository } from '#lib/store/handled-message-repository.ts';
import { LinkCodeRepository } from '#lib/store/link-code-repository.ts';
import { RosterRepository } from '#lib/store/roster-repository.ts';
import { WechatWindowRepository } from '#lib/store/wechat-window-repository.ts';
import { type Adapters, defaultAdapters, outboundRepository } from '#lib/wiring/adapters.ts';
import { textBroadcasts } from '#lib/wiring/broadcasts.ts';

/**
 * The adapters behind the WeChat webhook; `overrides` injects fakes or failures in tests. In AWS
 * (`lambdaFunctionName` given) late replies go through the function's own async invocation; in one
 * process they carry on in the background.
 */
export function createWechatWebhookDependencies(
  config: Config,
  logger: Logger,
  overrides: Partial<WechatWebhookDependencies> = {},
  adapters: Adapters = defaultAdapters(config),
  lambdaFunctionName?: string,
): WechatWebhookDependencies {
  const settings = wechatInboundSettings(config);
  const { client, clock, queue } = adapters;
  const tableName = config.TABLE_NAME;
  const roster = new RosterRepository({ client, tableName });
  const outbound = new OutboundService({
    repository: outboundRepository(config, adapters),
    queue,
    clock,
    logger,
  });
  return {
    inbound: new WechatInbound({
      token: settings.token,
      appId: settings.appId,
      encodingAesKey: settings.encodingAesKey,
      requireEncryption: settings.requireEncryption,
      now: () => clock.now(),
    }),
    store: new DynamoConversationStore({ client, tableName, messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS }),
    clock,
    logger,
    alerts: new CoordinatorAlertNotifier({ roster, outbound }),
    sessionTtlHours: config.SESSION_TTL_HOURS,
    // GB from a coordinator's WeChat, as by SMS.
    broadcasts: textBroadcasts(config, {
      broadcasts: new BroadcastRepository({ client, tableName }),
      roster,
      outbound,
      clock,
      logger,
    }),
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
