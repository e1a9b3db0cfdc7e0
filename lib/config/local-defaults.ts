// Every dev value `npm start` runs with, in one place. Used only when LIANXIN_ENV=local
// (lib/config/parse-env.ts withLocalDefaults); none of them is a secret, and none reaches AWS.
import { SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';

const WECHAT_TEMPLATE_KINDS = ['invitation', 'reminder', 'digest', 'nudge', 'alert'] as const;

/** WeChat: a local Official Account whose every scheduled kind has a template, so the outbox shows the
 * 48-hour window rules at work. */
export const WECHAT_LOCAL_DEFAULTS = {
  WECHAT_APP_ID: 'wx0000000000000000',
  WECHAT_APP_SECRET: 'local-dev-wechat-app-secret',
  WECHAT_TOKEN: 'localdevwechattoken',
  WECHAT_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  WECHAT_TEMPLATES: JSON.stringify(
    Object.fromEntries(
      WECHAT_TEMPLATE_KINDS.map((kind) => [
        kind,
        { templateId: `local-${kind}`, field: 'content', maxLength: 200 },
      ]),
    ),
  ),
} as const;

/** Mainland SMS: Twilio (the outbox) unless SMS_PROVIDER=aliyun|tencent, then that provider's local
 * SendSms stand-in, whose template codes are the catalogue's own ids. */
export const MAINLAND_SMS_LOCAL_DEFAULTS = {
  SMS_PROVIDER: 'twilio',
  ALIYUN_SMS_ACCESS_KEY_ID: 'local-dev-aliyun-key-id',
  ALIYUN_SMS_ACCESS_KEY_SECRET: 'local-dev-aliyun-key-secret',
  ALIYUN_SMS_CALLBACK_SECRET: 'local-dev-aliyun-callback',
  ALIYUN_SMS_TEMPLATE_CODES: JSON.stringify(Object.fromEntries(SMS_TEMPLATES.map((t) => [t.id, t.id]))),
  TENCENT_SMS_SECRET_ID: 'local-dev-tencent-secret-id',
  TENCENT_SMS_SECRET_KEY: 'local-dev-tencent-secret-key',
  TENCENT_SMS_CALLBACK_SECRET: 'local-dev-tencent-callback',
  TENCENT_SMS_SDK_APP_ID: '1400000000',
  TENCENT_SMS_TEMPLATE_IDS: JSON.stringify(Object.fromEntries(SMS_TEMPLATES.map((t) => [t.id, t.id]))),
} as const;

export const LOCAL_DEFAULTS = {
  // core
  PORT: '3000',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  TWILIO_AUTH_TOKEN: 'local-dev-auth-token',
  TWILIO_PHONE_NUMBER: '+15005550006',
  TABLE_NAME: 'lianxin-local',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
  AWS_REGION: 'local',
  MESSAGE_LOG_TTL_DAYS: '90',
  SESSION_TTL_HOURS: '48',
  SEND_RATE_PER_SECOND: '10',
  SEND_WORKER_CONCURRENCY: '2',
  SEND_MAX_ATTEMPTS: '5',
  LOOP_GUARD_LIMIT: '3',
  SEND_CLAIM_TIMEOUT_SECONDS: '120',
  // coordinators' API: the key local tokens are signed with
  API_LOCAL_SIGNING_KEY: 'local-dev-coordinators-api-signing-key-not-a-secret',
  // broadcasts: the estimate of docs/cost.md (Twilio's US price per segment plus carrier fees)
  SMS_PRICE_PER_SEGMENT: '0.0113',
  SMS_PRICE_CURRENCY: 'USD',
  // observability: locally nothing is emitted to CloudWatch; the names still parse
  POWERTOOLS_METRICS_NAMESPACE: 'lianxin-local',
  POWERTOOLS_SERVICE_NAME: 'lianxin-local',
  ...WECHAT_LOCAL_DEFAULTS,
  ...MAINLAND_SMS_LOCAL_DEFAULTS,
} as const;
