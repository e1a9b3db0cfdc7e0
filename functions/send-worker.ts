import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { loadMainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { loadConfigWithSecrets } from '#lib/config/secrets.ts';
import { observe } from '#lib/observability/lambda-middleware.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { processDelivery } from '#lib/outbound/send-worker.ts';
import { processSqsBatch } from '#lib/outbound/sqs-batch.ts';
import { defaultAdapters } from '#lib/wiring/adapters.ts';
import {
  createSendWorkerDependencies,
  defaultQueueControl,
  defaultSmsChannel,
} from '#lib/wiring/send-worker.ts';

// Cold start: config and secrets read once; clients reused across invocations.
const config = await loadConfigWithSecrets();
const logger = createLogger('send-worker');
const adapters = defaultAdapters(config);
const mainland = await loadMainlandSmsSettings(config);
const deps = createSendWorkerDependencies(config, logger, adapters, defaultSmsChannel(config, mainland));
const control = defaultQueueControl(config);

const sendWorker = (event: SQSEvent) =>
  processSqsBatch(event, (delivery, control) => processDelivery(delivery, control, deps), control, {
    concurrency: 4,
    onError: (error, delivery) =>
      logger.error('send failed unexpectedly', { messageId: delivery.messageId, error: error as Error }),
  });

export const handler = middy(sendWorker).use(observe(logger));
