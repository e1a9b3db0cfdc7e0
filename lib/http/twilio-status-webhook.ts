import { parseForm, verifyTwilioSignature } from '#lib/channels/twilio-sms/twilio-sms-inbound.ts';
import { statusFromProvider } from '#lib/domain/outbound-message.ts';
import { ValidationError } from '#lib/errors.ts';
import { createHttpHandler } from '#lib/http/http-handler.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { WebhookRequest, WebhookResponse } from '#lib/ports/channel.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import * as z from '#lib/zod.ts';

export interface StatusWebhookDependencies {
  authToken: string;
  repository: DynamoOutboundRepository;
  clock: Clock;
  logger: Logger;
}

const statusCallbackSchema = z.object({
  MessageSid: z.string().check(z.regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'must be a message id')),
  MessageStatus: z.string().check(z.regex(/^[a-z_]{2,20}$/, 'must be a Twilio message status')),
  ErrorCode: z.optional(z.string().check(z.regex(/^\d{1,6}$/))),
});

/** The status callback URL the send worker gives Twilio for one message: our key rides in it, signed. */
export function statusCallbackUrl(publicUrl: string, key: string): string {
  return `${publicUrl}/webhooks/twilio/status?key=${encodeURIComponent(key)}`;
}

const ok = (): WebhookResponse => ({ statusCode: 204, headers: {}, body: '' });

/** POST /webhooks/twilio/status: verify, validate, record the status (forward only). */
export async function handleStatusWebhook(
  request: WebhookRequest,
  deps: StatusWebhookDependencies,
): Promise<WebhookResponse> {
  verifyTwilioSignature(request, deps.authToken);
  const parsed = statusCallbackSchema.safeParse(parseForm(request.body));
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`);
    throw new ValidationError(`invalid Twilio status callback: ${reasons.join('; ')}`);
  }
  const { MessageSid, MessageStatus, ErrorCode } = parsed.data;
  const key = new URL(request.url).searchParams.get('key');
  // Twilio retries what we do not acknowledge; a callback we cannot place is logged, not refused.
  if (!key) {
    deps.logger.warn('status callback without a message key', { providerId: MessageSid, MessageStatus });
    return ok();
  }
  const result = await deps.repository.recordProviderStatus({
    key,
    status: statusFromProvider(MessageStatus),
    providerStatus: MessageStatus,
    at: deps.clock.now(),
    errorCode: ErrorCode,
  });
  if (result === 'unknown-key') {
    deps.logger.warn('status callback for an unknown message', {
      key,
      providerId: MessageSid,
      MessageStatus,
    });
  } else {
    deps.logger.info('delivery status recorded', { key, MessageStatus, result, errorCode: ErrorCode });
  }
  return ok();
}

export const createStatusWebhookHandler = (deps: StatusWebhookDependencies, publicUrl: string) =>
  createHttpHandler(
    'status webhook',
    (request) => handleStatusWebhook(request, deps),
    deps.logger,
    publicUrl,
  );
