import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CoordinatorAlertNotifier } from '#lib/alerts/coordinator-alert-notifier.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { TwilioSmsInbound } from '#lib/channels/twilio-sms/twilio-sms-inbound.ts';
import type { Config } from '#lib/config.ts';
import type { SmsWebhookDependencies } from '#lib/http/twilio-sms-webhook.ts';
import type { Logger } from '#lib/observability/logger.ts';
import { systemClock } from '#lib/ports/clock.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { DynamoConversationStore } from '#lib/store/dynamo-conversation-store.ts';
import { DynamoOutboundStore } from '#lib/store/dynamo-outbound-store.ts';
import { RosterRepository } from '#lib/store/roster-repository.ts';

/** The adapters behind the SMS webhook; tests pass overrides to inject fakes or failures. */
export function createSmsWebhookDependencies(
  config: Config,
  logger: Logger,
  overrides: Partial<SmsWebhookDependencies> = {},
  client: DynamoDBDocumentClient = createDocumentClient({
    region: config.AWS_REGION,
    endpoint: config.DYNAMODB_ENDPOINT,
  }),
): SmsWebhookDependencies {
  const clock = overrides.clock ?? systemClock;
  const tableName = config.TABLE_NAME;
  const outbound = new DynamoOutboundStore({
    client,
    tableName,
    clock,
    messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS,
    deliverNow: config.LIANXIN_ENV === 'local' ? localOutbox : undefined,
  });
  return {
    channel: new TwilioSmsInbound({
      authToken: config.TWILIO_AUTH_TOKEN,
      accountSid: config.TWILIO_ACCOUNT_SID,
      now: () => clock.now(),
    }),
    store: new DynamoConversationStore({ client, tableName, messageLogTtlDays: config.MESSAGE_LOG_TTL_DAYS }),
    clock,
    logger,
    alerts: new CoordinatorAlertNotifier({ roster: new RosterRepository({ client, tableName }), outbound }),
    sessionTtlHours: config.SESSION_TTL_HOURS,
    ...overrides,
  };
}
