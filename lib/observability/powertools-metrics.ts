import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_SERVICE, type MetricName } from '#lib/observability/metric-names.ts';
import type { BusinessMetrics, MetricDimensions } from '#lib/ports/metrics.ts';

/**
 * Business metrics as CloudWatch EMF through Powertools Metrics. Counts are summed in memory per
 * metric and dimension set during an invocation and written by `flush()` (the entry points' middleware
 * calls it after every invocation, failed or not): one EMF line per dimension set, however many
 * messages a batch sent.
 */
export class PowertoolsMetrics implements BusinessMetrics {
  readonly #metrics: Metrics;
  /** dimension set (JSON of sorted entries) → metric → sum */
  readonly #counts = new Map<string, Map<MetricName, number>>();

  constructor(opts: { namespace: string; metrics?: Metrics }) {
    this.#metrics = opts.metrics ?? new Metrics({ namespace: opts.namespace, serviceName: METRICS_SERVICE });
  }

  count(name: MetricName, dimensions: MetricDimensions = {}, value = 1): void {
    const key = JSON.stringify(
      Object.entries(dimensions)
        .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
        // Code-point order (ASCII names): localeCompare's first call would load ICU on the first invocation.
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const group = this.#counts.get(key) ?? new Map<MetricName, number>();
    group.set(name, (group.get(name) ?? 0) + value);
    this.#counts.set(key, group);
  }

  /** Writes what was counted since the last flush; nothing when nothing was counted. */
  flush(): void {
    for (const [key, group] of this.#counts) {
      for (const [dimension, value] of JSON.parse(key) as [string, string][]) {
        this.#metrics.addDimension(dimension, value);
      }
      for (const [name, value] of group) this.#metrics.addMetric(name, MetricUnit.Count, value);
      this.#metrics.publishStoredMetrics();
    }
    this.#counts.clear();
  }
}
