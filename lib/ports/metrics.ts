// Business metrics are a port: lib code counts what happened through it, the wiring gives the
// Powertools (CloudWatch EMF) one, tests a recording fake that asserts the counts.
import type { MetricName } from '#lib/observability/metric-names.ts';

/**
 * The dimensions a business metric may carry. Each is low-cardinality by construction (a channel, a
 * failure kind, a provider's error code, a provider): never a phone number, a contact or a message id.
 */
export interface MetricDimensions {
  /** sms | wechat */
  channel?: string;
  /** A send failure's kind or the provider's error code. */
  errorCode?: string;
  /** An SMS provider (twilio, aliyun, tencent). */
  provider?: string;
}

export interface BusinessMetrics {
  /** Adds `value` (default 1) to the count `name` with these dimensions. */
  count(name: MetricName, dimensions?: MetricDimensions, value?: number): void;
}

/** Counts nothing: for code paths built without metrics (local tools). */
export const noMetrics: BusinessMetrics = { count: () => {} };
