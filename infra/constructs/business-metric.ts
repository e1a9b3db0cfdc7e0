import { Duration } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { CHANNEL_NAMES } from '#lib/domain/model.ts';
import { METRICS_SERVICE, type MetricName } from '#lib/observability/metric-names.ts';
import type { MetricDimensions } from '#lib/ports/metrics.ts';

/**
 * One of the business metrics the functions emit (lib/observability/metric-names.ts) as CloudWatch
 * reads it: the stage's namespace, the `service` dimension Powertools adds, and the metric's own
 * dimensions; summed over 5 minutes.
 */
export function businessMetric(
  namespace: string,
  name: MetricName,
  dimensions: MetricDimensions = {},
  label?: string,
): Metric {
  return new Metric({
    namespace,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE, ...(dimensions as Record<string, string>) },
    statistic: Stats.SUM,
    period: Duration.minutes(5),
    ...(label ? { label } : {}),
  });
}

/** The channels a deployment sends on (the local outbox is `npm start`'s only). */
export const DEPLOYED_CHANNELS = CHANNEL_NAMES.filter((c) => c !== 'local');
