import type { Logger } from '#lib/observability/logger.ts';
import { METRIC } from '#lib/observability/metric-names.ts';
import {
  type OutboundChannel,
  SendFailure,
  type SendFailureKind,
  type SendOptions,
  type SendResult,
} from '#lib/ports/channel.ts';
import type { BusinessMetrics } from '#lib/ports/metrics.ts';

/**
 * Failures that say something about the provider, not the recipient: its error, its flow control, or
 * no answer in time. A number that cannot receive or that unsubscribed is the same on any provider,
 * so those never go to the second one; neither does a message the first could not carry at all.
 */
const FAILS_OVER: ReadonlySet<SendFailureKind> = new Set(['retryable', 'unknown-outcome', 'rejected']);

type NamedChannel = OutboundChannel & { readonly provider: string };

/**
 * Two domestic providers, the second taking a message the first failed. One `send` is one attempt of
 * each at most; the result names the provider that sent it, and the send worker records that on the
 * outbound record, so a retried delivery of a message already sent changes nothing.
 */
export class FailoverSmsChannel implements OutboundChannel {
  readonly name = 'sms' as const;

  constructor(
    private readonly primary: NamedChannel,
    private readonly secondary: NamedChannel,
    private readonly metrics: BusinessMetrics,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  async send(to: string, body: string, options?: SendOptions): Promise<SendResult> {
    try {
      return await this.primary.send(to, body, options);
    } catch (error) {
      if (!(error instanceof SendFailure) || !FAILS_OVER.has(error.kind)) throw error;
      this.logger.warn('SMS provider failed; sending by the second', {
        from: this.primary.provider,
        to: this.secondary.provider,
        kind: error.kind,
        reason: error.message,
        key: options?.key,
      });
      // Counted whether or not the second provider then succeeds: the alarm is about the first. The
      // dimension is the provider failed over to (as the dashboard shows it); the reason is in the log.
      this.metrics.count(METRIC.smsFailover, { provider: this.secondary.provider });
      const result = await this.secondary.send(to, body, options);
      return { ...result, provider: result.provider ?? this.secondary.provider };
    }
  }
}
