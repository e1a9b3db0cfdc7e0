import type { MetricName } from '#lib/observability/metric-names.ts';
import type { BusinessMetrics, MetricDimensions } from '#lib/ports/metrics.ts';

/** The metrics port as a test reads it: every count kept, summed by name and dimensions on demand. */
export class RecordingMetrics implements BusinessMetrics {
  readonly counts: { name: MetricName; dimensions: MetricDimensions; value: number }[] = [];

  count(name: MetricName, dimensions: MetricDimensions = {}, value = 1): void {
    this.counts.push({ name, dimensions: { ...dimensions }, value });
  }

  /** The sum of `name` over every count whose dimensions include `where`. */
  total(name: MetricName, where: MetricDimensions = {}): number {
    return this.counts
      .filter((c) => c.name === name)
      .filter((c) => Object.entries(where).every(([k, v]) => c.dimensions[k as keyof MetricDimensions] === v))
      .reduce((sum, c) => sum + c.value, 0);
  }

  /** Each metric name recorded, with the dimension names it was recorded with. */
  shapes(): Set<string> {
    return new Set(this.counts.map((c) => `${c.name}[${Object.keys(c.dimensions).sort().join(',')}]`));
  }
}
