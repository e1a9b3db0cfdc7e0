import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { dueIndexShards as dueIndexShardsFrom } from '#lib/config/due-index.ts';
import { parseTemplates } from '#lib/config/wechat.ts';
import { SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';

export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

/** Everything that differs between dev and prod, decided once from the CDK context. */
export interface StageConfig {
  readonly name: StageName;
  /** Prefix of stack names, alarm names and the key alias: `lianxin-dev`, `lianxin-prod`. */
  readonly prefix: string;
  /**
   * What happens to data (table, key, secrets, logs) when its stack is deleted or the resource
   * replaced. RETAIN in prod; DESTROY only ever in dev (see `dataRemovalPolicy`).
   */
  readonly removalPolicy: RemovalPolicy;
  /** Table deletion protection and stack termination protection (prod). */
  readonly protectData: boolean;
  readonly logRetention: RetentionDays;
  /** Powertools LOG_LEVEL. */
  readonly logLevel: 'DEBUG' | 'INFO';
  readonly twilio: { readonly accountSid: string; readonly phoneNumber: string };
  /** Public base URL Twilio calls (a custom domain); default: the API's execute-api URL. */
  readonly publicUrl: string | undefined;
  /**
   * WeChat template messages per message kind (JSON, as WECHAT_TEMPLATES in lib/config/wechat.ts), for
   * sends outside the 48-hour window; unset: those go by SMS. Template ids come from the WeChat console.
   */
  readonly wechatTemplates: string | undefined;
  /**
   * Origins (https://host) of the coordinators' web console, allowed by CORS on the API; none: no
   * CORS at all (the console is not built yet; phones and the CLI do not need it).
   */
  readonly consoleOrigins: readonly string[];
  /**
   * The prefix of Cognito's managed login domain (prefix.auth.region.amazoncognito.com), unique in the
   * region; unset: the stage prefix and the account id.
   */
  readonly authDomainPrefix: string | undefined;
  /** Where alarms are e-mailed; the alarm topic is an output either way. */
  readonly alarmEmail: string | undefined;
  readonly messageLogTtlDays: number;
  readonly sessionTtlHours: number;
  /** The weekly rhythm: the carers' reminder (lib/config/schedule.ts) and how often the tick runs. */
  readonly weeklyRhythm: { readonly reminderAfterHours: number; readonly tickEveryMinutes: number };
  /**
   * The due index's shards (lib/config/due-index.ts): `write` for new due items, `read` for the tick
   * (≥ write; kept at the old count after lowering `write`, until the higher shards are empty).
   */
  readonly dueIndexShards: { readonly write: number; readonly read: number };
  /**
   * The price of one outbound SMS segment, for the broadcast preview's estimate (not a secret; set
   * it to your provider's price for mainland China numbers before relying on the figure).
   */
  readonly smsPrice: { readonly perSegment: number; readonly currency: string };
  /** Mainland SMS: who carries +86 mobiles, and the codes approval gave the templates (JSON by id). */
  readonly mainlandSms: {
    readonly provider: 'aliyun' | 'tencent' | 'twilio';
    /** The second domestic provider, taking what the first fails (none: no failover). */
    readonly fallback: 'aliyun' | 'tencent' | 'none';
    readonly templateCodes: string;
    /** Tencent Cloud's TemplateIds (JSON by id) and its SMS application (SmsSdkAppId). */
    readonly tencentTemplateIds: string;
    readonly tencentSdkAppId: string;
  };
  /** Stage-wide API throttling (requests per second, burst). */
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /** The send path (lib/config/core.ts SEND_*, LOOP_GUARD_LIMIT); the queue and its worker are sized from it. */
  readonly sending: {
    /** Messages per second our sender may send (Twilio's per-sender limit), shared by all workers. */
    readonly ratePerSecond: number;
    /** Concurrent send workers: the event source's maximum concurrency (SQS allows 2–1000). */
    readonly workerConcurrency: number;
    /** Claims before the worker itself dead-letters a message; SQS's redrive is a backstop after +5. */
    readonly maxAttempts: number;
    /** More identical bodies than this to one address in 5 minutes are blocked. */
    readonly loopGuardLimit: number;
    /** A claim older than this means the worker died mid-send; the visibility timeout is twice it. */
    readonly claimTimeoutSeconds: number;
    readonly workerTimeoutSeconds: number;
    /**
     * Alarm when the oldest message is older than this. Above the longest deliberate deferral: the
     * worker holds non-urgent messages through quiet hours (21:00–08:00) by extending their visibility.
     */
    readonly maxMessageAgeMinutes: number;
  };
  /** Business metrics, the dashboard and the failure-rate alarms (infra/constructs/dashboard.ts, alarms.ts). */
  readonly observability: {
    /** CloudWatch namespace of the business metrics (POWERTOOLS_METRICS_NAMESPACE of every function). */
    readonly metricsNamespace: string;
    /** Alarm when more than this share (%) of one channel's messages in 15 minutes fail for good. */
    readonly sendFailureRatePercent: number;
    /** Alarm when more than this share (%) of the API's requests in 15 minutes answer 5xx. */
    readonly serverErrorRatePercent: number;
    /** A rate alarm needs this many messages or requests in its 5 minutes to mean anything. */
    readonly minVolumeForRate: number;
  };
}

/** Twilio's documented test values: they let dev synthesize without an account. */
const DEV_TWILIO = { accountSid: `AC${'0'.repeat(32)}`, phoneNumber: '+15005550006' };

/**
 * Reads the stage from the context (`-c stage=prod`, default dev) and its parameters:
 * `-c twilioAccountSid=AC… -c twilioPhoneNumber=+… [-c publicUrl=https://… -c alarmEmail=… -c consoleOrigins=https://a,https://b -c dueIndexShards=16]`.
 * Prod refuses to synthesize without its real Twilio values.
 */
export function stageConfigFrom(scope: Construct): StageConfig {
  const ctx = (key: string): string | undefined => {
    const value: unknown = scope.node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    return String(value);
  };
  const name = ctx('stage') ?? 'dev';
  if (!isStageName(name)) throw new Error(`unknown stage "${name}": use -c stage=dev or -c stage=prod`);
  const prod = name === 'prod';

  const accountSid = ctx('twilioAccountSid') ?? (prod ? undefined : DEV_TWILIO.accountSid);
  const phoneNumber = ctx('twilioPhoneNumber') ?? (prod ? undefined : DEV_TWILIO.phoneNumber);
  if (accountSid === undefined || phoneNumber === undefined) {
    throw new Error('prod needs -c twilioAccountSid=AC… -c twilioPhoneNumber=+E164 (see docs/deploying.md)');
  }
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) throw new Error('twilioAccountSid must be AC + 32 hex digits');
  if (!/^\+[1-9]\d{6,14}$/.test(phoneNumber))
    throw new Error('twilioPhoneNumber must be E.164, e.g. +15017122661');
  const publicUrl = ctx('publicUrl')?.replace(/\/+$/, '');
  if (publicUrl !== undefined && !/^https:\/\/[^/]+$/.test(publicUrl)) {
    throw new Error('publicUrl must be https://host (no path): Twilio signs the exact URL it calls');
  }
  const wechatTemplates = ctx('wechatTemplates');
  // Validated now, so a bad template list fails the synth rather than the send worker's cold start.
  if (wechatTemplates !== undefined) parseTemplates(wechatTemplates);
  const mainlandSms = mainlandSmsFrom(
    {
      provider: ctx('smsProvider'),
      fallback: ctx('smsFallbackProvider'),
      codes: ctx('aliyunSmsTemplateCodes'),
      tencentIds: ctx('tencentSmsTemplateIds'),
      tencentSdkAppId: ctx('tencentSmsSdkAppId'),
    },
    prod,
  );
  // -c dueIndexShards=N [-c dueIndexReadShards=M]: checked by the functions' own schema, at synth.
  const dueIndexShards = dueIndexShardsFrom({
    DUE_INDEX_SHARDS: ctx('dueIndexShards'),
    DUE_INDEX_READ_SHARDS: ctx('dueIndexReadShards'),
  });
  const consoleOrigins = (ctx('consoleOrigins') ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter((o) => o !== '');
  for (const origin of consoleOrigins) {
    if (!/^https:\/\/[^/*]+$/.test(origin)) throw new Error(`consoleOrigins: ${origin} is not https://host`);
  }
  const authDomainPrefix = ctx('authDomainPrefix');
  if (authDomainPrefix !== undefined && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(authDomainPrefix))
    throw new Error('authDomainPrefix: lower-case letters, digits and hyphens');
  if (authDomainPrefix !== undefined && /aws|amazon|cognito/.test(authDomainPrefix))
    throw new Error('authDomainPrefix may not contain aws, amazon or cognito');
  const alarmEmail = ctx('alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail))
    throw new Error('alarmEmail is not an address');

  return {
    name,
    prefix: `lianxin-${name}`,
    removalPolicy: dataRemovalPolicy(name),
    protectData: prod,
    logRetention: prod ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
    logLevel: prod ? 'INFO' : 'DEBUG',
    twilio: { accountSid, phoneNumber },
    publicUrl,
    wechatTemplates,
    consoleOrigins,
    authDomainPrefix,
    alarmEmail,
    messageLogTtlDays: 90,
    sessionTtlHours: 48,
    weeklyRhythm: { reminderAfterHours: 24, tickEveryMinutes: 5 },
    // 16 by default: about 900 contacts due a shard at a 100k-contact Saturday peak (docs/measured.md).
    dueIndexShards,
    // The cost estimate of docs/cost.md: Twilio's per-segment price plus carrier fees, in US dollars.
    smsPrice: { perSegment: 0.0113, currency: 'USD' },
    mainlandSms,
    apiThrottle: prod ? { rateLimit: 50, burstLimit: 100 } : { rateLimit: 10, burstLimit: 20 },
    sending: {
      ratePerSecond: 10,
      workerConcurrency: 2,
      maxAttempts: 5,
      loopGuardLimit: 3,
      claimTimeoutSeconds: 120,
      workerTimeoutSeconds: 30,
      maxMessageAgeMinutes: 13 * 60,
    },
    observability: {
      metricsNamespace: `lianxin/${name}`,
      sendFailureRatePercent: 10,
      serverErrorRatePercent: 5,
      minVolumeForRate: 5,
    },
  };
}

/** The only place a removal policy for data is chosen: nothing but dev may ever be destroyed. */
export function dataRemovalPolicy(stage: StageName): RemovalPolicy {
  return stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

function isStageName(name: string): name is StageName {
  return (STAGES as readonly string[]).includes(name);
}

/** Every catalogue template's code, as JSON; dev falls back to the catalogue's own ids. */
function templateCodesFrom(codes: string | undefined, name: string): string {
  const templateCodes = codes ?? JSON.stringify(Object.fromEntries(SMS_TEMPLATES.map((t) => [t.id, t.id])));
  const parsed = JSON.parse(templateCodes) as Record<string, unknown>;
  const missing = SMS_TEMPLATES.filter((t) => typeof parsed[t.id] !== 'string').map((t) => t.id);
  if (missing.length > 0) throw new Error(`${name} has no code for ${missing.join(', ')}`);
  return templateCodes;
}

/**
 * `-c smsProvider=aliyun|tencent|twilio` (aliyun by default), `-c smsFallbackProvider=tencent|aliyun|none`
 * (none by default), `-c aliyunSmsTemplateCodes={"LX_REPLY_ZH_1":"SMS_…",…}`, and for Tencent
 * `-c tencentSmsTemplateIds={"LX_REPLY_ZH_1":"1234567",…}` with `-c tencentSmsSdkAppId=1400…`.
 * prod must name a code for every template of each provider it sends by (checked now, not at the
 * worker's cold start); dev falls back to the catalogue's ids, which the provider will refuse until
 * real codes are set.
 */
function mainlandSmsFrom(
  c: {
    provider: string | undefined;
    fallback: string | undefined;
    codes: string | undefined;
    tencentIds: string | undefined;
    tencentSdkAppId: string | undefined;
  },
  prod: boolean,
): StageConfig['mainlandSms'] {
  const chosen = c.provider ?? 'aliyun';
  if (chosen !== 'aliyun' && chosen !== 'tencent' && chosen !== 'twilio') {
    throw new Error('smsProvider must be aliyun, tencent or twilio');
  }
  const fallback = c.fallback ?? 'none';
  if (fallback !== 'aliyun' && fallback !== 'tencent' && fallback !== 'none') {
    throw new Error('smsFallbackProvider must be aliyun, tencent or none');
  }
  if (fallback !== 'none' && (fallback === chosen || chosen === 'twilio')) {
    throw new Error('smsFallbackProvider must be the other domestic provider than smsProvider');
  }
  const uses = (p: 'aliyun' | 'tencent') => chosen === p || fallback === p;
  if (uses('aliyun') && c.codes === undefined && prod) {
    throw new Error(
      'prod sending by Alibaba Cloud needs -c aliyunSmsTemplateCodes=… (npm run sms-templates)',
    );
  }
  if (uses('tencent') && prod && (c.tencentIds === undefined || c.tencentSdkAppId === undefined)) {
    throw new Error(
      'prod sending by Tencent Cloud needs -c tencentSmsTemplateIds=… and -c tencentSmsSdkAppId=… (npm run sms-templates)',
    );
  }
  const tencentSdkAppId = c.tencentSdkAppId ?? '1400000000';
  if (!/^\d{6,12}$/.test(tencentSdkAppId))
    throw new Error('tencentSmsSdkAppId must be digits, e.g. 1400006666');
  return {
    provider: chosen,
    fallback,
    templateCodes: templateCodesFrom(c.codes, 'aliyunSmsTemplateCodes'),
    tencentTemplateIds: templateCodesFrom(c.tencentIds, 'tencentSmsTemplateIds'),
    tencentSdkAppId,
  };
}
