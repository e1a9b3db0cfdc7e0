// Every environment schema of lib/config/, with the concern it configures: the one list that
// docs/configuration.md is generated from (`npm run docs`). A new schema goes here, then regenerate.
import type * as z from '#lib/zod.ts';
import { apiEnvSchema } from './api.ts';
import { broadcastEnvSchema } from './broadcast.ts';
import { coreEnvSchema } from './core.ts';
import { dueIndexEnvSchema } from './due-index.ts';
import { mainlandSmsEnvSchema } from './mainland-sms.ts';
import { observabilityEnvSchema } from './observability.ts';
import { scheduleEnvSchema } from './schedule.ts';
import { secretsEnvSchema } from './secrets.ts';
import { wechatEnvSchema } from './wechat-env.ts';

export interface ConfigConcern {
  /** A short name, also the heading in docs/configuration.md. */
  concern: string;
  /** The module that exports the schema (checked by a unit test). */
  module: string;
  /** The export's name in that module. */
  exportName: string;
  schema: z.ZodMiniObject;
  /** Who reads it, and when. */
  readBy: string;
}

export const CONFIG_CATALOG: readonly ConfigConcern[] = [
  {
    concern: 'core',
    module: 'lib/config/core.ts',
    exportName: 'coreEnvSchema',
    schema: coreEnvSchema,
    readBy:
      'Every entry point, once at cold start (`loadConfig`, or `loadConfigWithSecrets` where a secret is named).',
  },
  {
    concern: 'wechat',
    module: 'lib/config/wechat-env.ts',
    exportName: 'wechatEnvSchema',
    schema: wechatEnvSchema,
    readBy:
      'Part of core: the WeChat webhook (`wechatInboundSettings`: refuses to start without them) and the send worker (`wechatOutboundSettings`: no WeChat channel without them).',
  },
  {
    concern: 'secrets',
    module: 'lib/config/secrets.ts',
    exportName: 'secretsEnvSchema',
    schema: secretsEnvSchema,
    readBy:
      'The functions granted a secret, before core (`loadConfigWithSecrets`): the secret values fill the Twilio and WeChat variables.',
  },
  {
    concern: 'api',
    module: 'lib/config/api.ts',
    exportName: 'apiEnvSchema',
    schema: apiEnvSchema,
    readBy: "The coordinators' API (`apiSettings`).",
  },
  {
    concern: 'broadcast',
    module: 'lib/config/broadcast.ts',
    exportName: 'broadcastEnvSchema',
    schema: broadcastEnvSchema,
    readBy:
      "What previews broadcasts (`broadcastPricing`): the coordinators' API and the SMS and WeChat webhooks (the GB command).",
  },
  {
    concern: 'schedule',
    module: 'lib/config/schedule.ts',
    exportName: 'scheduleEnvSchema',
    schema: scheduleEnvSchema,
    readBy: 'The scheduler tick (`loadScheduleConfig`).',
  },
  {
    concern: 'due-index',
    module: 'lib/config/due-index.ts',
    exportName: 'dueIndexEnvSchema',
    schema: dueIndexEnvSchema,
    readBy:
      'Every function that writes a due item (`dueIndexShards`, at its first due write) and the scheduler tick (the shards it reads).',
  },
  {
    concern: 'mainland-sms',
    module: 'lib/config/mainland-sms.ts',
    exportName: 'mainlandSmsEnvSchema',
    schema: mainlandSmsEnvSchema,
    readBy:
      'The send worker and the Alibaba Cloud and Tencent Cloud SMS webhooks (`loadMainlandSmsSettings`; in AWS the credentials and callback secrets come from `ALIYUN_SMS_SECRET_ARN` and `TENCENT_SMS_SECRET_ARN`); the broadcast preview reads the provider and prices (`domesticSmsPricing`), and the provider, fallback and Tencent Cloud variable limit to check a notice against their templates (`mainlandTemplateCarriers`, both in lib/config/mainland-sms-prices.ts). See docs/mainland-sms.md.',
  },
  {
    concern: 'observability',
    module: 'lib/config/observability.ts',
    exportName: 'observabilityEnvSchema',
    schema: observabilityEnvSchema,
    readBy:
      'Every entry point, once at cold start (`loadObservabilitySettings`): the business metrics (Powertools Metrics, EMF) and the traces (Powertools Tracer).',
  },
];
