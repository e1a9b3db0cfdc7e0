import type { Logger } from '#lib/observability/logger.ts';
import type { Metrics } from '#lib/ports/metrics.ts';

/** Metrics as log lines (`metric` and its dimensions), until a metrics backend is wired in. */
export const logMetrics = (logger: Pick<Logger, 'info'>): Metrics => ({
  count: (name, dimensions = {}) => logger.info('metric', { metric: name, count: 1, ...dimensions }),
});
