import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { Logger } from '#lib/observability/logger.ts';
import { type ProcessObservability, processObservability } from '#lib/observability/process-observability.ts';

/**
 * What every entry point wears: the Lambda context in its logs, the invocation traced (not its
 * response: replies carry carers' words), and its business metrics flushed after it, failed or not.
 */
export function observe(
  logger: Logger,
  observability: ProcessObservability = processObservability(),
): MiddlewareObj[] {
  const flush: MiddlewareObj = {
    after: () => observability.flush(),
    onError: () => observability.flush(),
  };
  const { tracer } = observability;
  return [
    injectLambdaContext(logger),
    ...(tracer ? [captureLambdaHandler(tracer, { captureResponse: false })] : []),
    flush,
  ];
}
