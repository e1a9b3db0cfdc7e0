import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { maskDeep, maskPersonalIn } from '#lib/observability/mask.ts';

/** Powertools' JSON layout, with every phone number and WeChat OpenID masked wherever it appears. */
class MaskingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: maskPersonalIn(attributes.message),
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(maskDeep(this.#serialiseErrors(additional)) as LogAttributes);
  }

  #serialiseErrors(additional: LogAttributes): LogAttributes {
    return Object.fromEntries(
      Object.entries(additional).map(([k, v]) => [k, v instanceof Error ? this.formatError(v) : v]),
    );
  }
}

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, logFormatter: new MaskingLogFormatter() });
}

export type { Logger };
