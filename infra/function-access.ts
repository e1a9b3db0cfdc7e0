// What each function's code may send to AWS, as its wiring declares it (the union over what the wiring
// builds; each repository and adapter lists its own actions: lib/store/iam-actions.ts). The stateless
// stack grants exactly this to each function's role; tests/infra checks it against each bundle's SDK
// commands, and the integration tests' clients refuse whatever the synthesized role does not allow.
import type { AwsAccess } from '#lib/store/iam-actions.ts';
import { ALIYUN_SMS_WEBHOOK_ACCESS } from '#lib/wiring/aliyun-sms-webhook.ts';
import { COORDINATOR_API_ACCESS } from '#lib/wiring/coordinator-api.ts';
import { SCHEDULER_TICK_ACCESS } from '#lib/wiring/scheduler-tick.ts';
import { SEND_WORKER_ACCESS } from '#lib/wiring/send-worker.ts';
import { SMS_WEBHOOK_ACCESS } from '#lib/wiring/sms-webhook.ts';
import { STATUS_WEBHOOK_ACCESS } from '#lib/wiring/status-webhook.ts';
import { TENCENT_SMS_WEBHOOK_ACCESS } from '#lib/wiring/tencent-sms-webhook.ts';
import { WECHAT_WEBHOOK_ACCESS } from '#lib/wiring/wechat-webhook.ts';
import type { FunctionName } from './function-catalog.ts';

export const FUNCTION_ACCESS: Readonly<Record<FunctionName, AwsAccess>> = {
  'twilio-sms-webhook': SMS_WEBHOOK_ACCESS,
  'twilio-status-webhook': STATUS_WEBHOOK_ACCESS,
  'wechat-webhook': WECHAT_WEBHOOK_ACCESS,
  'send-worker': SEND_WORKER_ACCESS,
  'coordinator-api': COORDINATOR_API_ACCESS,
  'scheduler-tick': SCHEDULER_TICK_ACCESS,
  'aliyun-sms-webhook': ALIYUN_SMS_WEBHOOK_ACCESS,
  'tencent-sms-webhook': TENCENT_SMS_WEBHOOK_ACCESS,
};
