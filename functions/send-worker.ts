import middy from '@middy/core';
import { loadMainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { loadConfigWithSecrets } from '#lib/config/secrets.ts';
import { observe } from '#lib/observability/lambda-middleware.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { defaultAdapters } from '#lib/wiring/adapters.ts';
import {
  createSendWorkerDependencies,
  defaultQueueControl,
  defaultSmsChannel,
  sqsSendWorker,
} from '#lib/wiring/send-worker.ts';

// Cold start: config and secrets read once; clients reused across invocations.
const config = await loadConfigWithSecrets();
const logger = createLogger('send-worker');
const adapters = defaultAdapters(config);
const mainland = await loadMainlandSmsSettings(config);
const deps = createSendWorkerDependencies(
  config,
  logger,
  adapters,
  defaultSmsChannel(config, mainland, adapters.metrics),
);
const control = defaultQueueControl(config);

export const handler = middy(sqsSendWorker(deps, control, logger)).use(observe(logger));
