// One set of metrics and one tracer per Lambda process (one process is one function): the wiring
// counts through `metrics`, and the entry point's middleware flushes the same instance after each
// invocation. Locally (`npm start`, tests) nothing is emitted and nothing traced.
import { Tracer } from '@aws-lambda-powertools/tracer';
import { loadObservabilitySettings } from '#lib/config/observability.ts';
import type { Env } from '#lib/config/parse-env.ts';
import { PowertoolsMetrics } from '#lib/observability/powertools-metrics.ts';
import { type BusinessMetrics, noMetrics } from '#lib/ports/metrics.ts';

export interface ProcessObservability {
  metrics: BusinessMetrics;
  /** Writes the invocation's metrics (EMF); a no-op where nothing is emitted. */
  flush(): void;
  /** Powertools Tracer (X-Ray) in AWS; undefined locally. */
  tracer: Tracer | undefined;
}

let current: ProcessObservability | undefined;

export function processObservability(env: Env = process.env): ProcessObservability {
  if (current) return current;
  if (env.LIANXIN_ENV !== 'aws') {
    current = { metrics: noMetrics, flush: () => {}, tracer: undefined };
    return current;
  }
  const settings = loadObservabilitySettings(env);
  const metrics = new PowertoolsMetrics({ namespace: settings.POWERTOOLS_METRICS_NAMESPACE });
  // Responses carry carers' words and errors may carry a number: neither goes into a trace.
  const tracer = new Tracer({ serviceName: settings.POWERTOOLS_SERVICE_NAME });
  current = { metrics, flush: () => metrics.flush(), tracer };
  return current;
}

/** An AWS SDK v3 client with its calls traced as X-Ray subsegments (unchanged where nothing is traced). */
export function traced<C extends object>(client: C, env: Env = process.env): C {
  const tracer = processObservability(env).tracer;
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
