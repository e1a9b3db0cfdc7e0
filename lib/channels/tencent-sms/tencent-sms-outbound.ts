// Tencent Cloud SMS (SendSms 2021-01-11) for mainland numbers: the second domestic provider. Every
// message goes by an approved template (lib/domain/sms-templates.ts), with our outbound key as
// SessionContext so the status callback finds it.
import type { Client } from 'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_client.js';
import type {
  SendSmsRequest,
  SendSmsResponse,
} from 'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_models.js';
import { type RenderedSms, renderMainlandSms } from '#lib/domain/sms-templates.ts';
import { ValidationError } from '#lib/errors.ts';
import { maskPhonesIn } from '#lib/observability/mask.ts';
import { type OutboundChannel, SendFailure, type SendOptions, type SendResult } from '#lib/ports/channel.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';

export interface TencentSmsOutboundOptions {
  secretId: string;
  secretKey: string;
  /** The SMS application (SmsSdkAppId) the signature and templates belong to. */
  sdkAppId: string;
  signName: string;
  /** Our template id → Tencent Cloud's TemplateId. */
  templateIds: Readonly<Record<string, string>>;
  /** The longest value one variable may carry on Tencent (TENCENT_SMS_MAX_VARIABLE_CHARS). */
  maxVariableChars: number;
  /** host[:port]; sms.tencentcloudapi.com in AWS, the local stand-in otherwise. */
  endpoint?: string;
  protocol?: 'https' | 'http';
  region?: string;
  /** Whole-request timeout; past it the outcome is unknown. Default 5 s. */
  timeoutMs?: number;
}

/** `+8613800000001`, as PhoneNumberSet takes a number (E.164); only mainland mobiles go this way. */
export function tencentPhoneNumber(e164: string): string {
  if (!/^\+861[3-9]\d{9}$/.test(e164)) throw new ValidationError('not a mainland mobile number');
  return e164;
}

export class TencentSmsOutbound implements OutboundChannel {
  /**
   * Nothing of AWS: it calls Tencent Cloud's SendSms. Its SecretId/SecretKey come from the Tencent
   * Cloud secret, read at cold start and granted with the secret (bindSecret), not here.
   */
  static readonly awsAccess: AwsAccess = {};

  readonly name = 'sms' as const;
  readonly provider = 'tencent' as const;
  private client: Promise<Client> | undefined;

  constructor(private readonly options: TencentSmsOutboundOptions) {}

  // Loaded at the first send by Tencent Cloud, so that a cold start of the send worker does not pay for
  // the SDK (about 0.5 MB) when the deployment sends by another provider.
  private loaded(): Promise<Client> {
    const options = this.options;
    this.client ??= import(
      'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_client.js'
    ).then((sdk) => {
      // CommonJS: Node's ESM loader may give the exports object as the default.
      const exports = (sdk as { Client?: typeof Client }).Client
        ? (sdk as { Client: typeof Client })
        : (sdk as unknown as { default: { Client: typeof Client } }).default;
      return new exports.Client({
        credential: { secretId: options.secretId, secretKey: options.secretKey },
        region: options.region ?? 'ap-guangzhou',
        profile: {
          signMethod: 'TC3-HMAC-SHA256',
          httpProfile: {
            endpoint: options.endpoint ?? 'sms.tencentcloudapi.com',
            protocol: `${options.protocol ?? 'https'}://`,
            reqMethod: 'POST',
            // Seconds; the SDK makes one attempt, the send worker owns retries.
            reqTimeout: (options.timeoutMs ?? 5000) / 1000,
          },
        },
      });
    });
    return this.client;
  }

  /** The template and variables this message goes by on Tencent, or why it never can. */
  render(to: string, body: string, options: SendOptions): { phone: string; rendered: RenderedSms } {
    try {
      return {
        phone: tencentPhoneNumber(to),
        rendered: renderMainlandSms(options.kind ?? 'reply', body, this.options.maxVariableChars),
      };
    } catch (error) {
      const kind =
        error instanceof ValidationError && error.message.includes('number') ? 'invalid-address' : 'rejected';
      throw new SendFailure(kind, (error as Error).message, undefined, { cause: error });
    }
  }

  async send(to: string, body: string, options: SendOptions = {}): Promise<SendResult> {
    const { phone, rendered } = this.render(to, body, options);
    const templateId = this.options.templateIds[rendered.template.id];
    if (!templateId)
      throw new SendFailure('rejected', `no Tencent Cloud TemplateId for template ${rendered.template.id}`);
    const request: SendSmsRequest = {
      PhoneNumberSet: [phone],
      SmsSdkAppId: this.options.sdkAppId,
      SignName: this.options.signName,
      TemplateId: templateId,
      // Tencent's variables are positional ({1}, {2}, …), in the catalogue's order.
      TemplateParamSet: rendered.template.variables.map((v) => rendered.params[v] ?? ''),
      ...(options.key ? { SessionContext: options.key } : {}),
    };
    let response: SendSmsResponse;
    try {
      response = await (await this.loaded()).SendSms(request);
    } catch (error) {
      throw classifyTencentError(error);
    }
    const status = response.SendStatusSet?.[0];
    if (status?.Code !== 'Ok' || !status.SerialNo) throw classifyTencentCode(status?.Code, status?.Message);
    return {
      providerId: status.SerialNo,
      provider: this.provider,
      template: {
        code: templateId,
        params: rendered.params,
        text: rendered.text,
        segments: rendered.segments,
      },
    };
  }
}

// The number can never receive: no retry, no second provider.
const INVALID_ADDRESS = new Set([
  'InvalidParameterValue.IncorrectPhoneNumber',
  'FailedOperation.PhoneNumberParseFail',
  'UnsupportedOperation.UnsupportedRegion',
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber',
]);
// The recipient unsubscribed or is on the carrier's blacklist (退订/TD to the carrier).
const OPTED_OUT = new Set([
  'FailedOperation.PhoneNumberInBlacklist',
  'FailedOperation.PhoneNumberOnBlacklist',
]);
// Flow control on one number or the account, or Tencent's own trouble: later may work.
const RETRYABLE_PREFIXES = ['LimitExceeded.', 'InternalError', 'RequestLimitExceeded'];

/** A SendStatus Code (or an API error Code) other than Ok, as the send worker needs it. Pure. */
export function classifyTencentCode(code: string | undefined, message: string | undefined): SendFailure {
  const text = `Tencent Cloud answered ${code ?? 'no code'}: ${maskPhonesIn(message ?? '')}`;
  if (code && INVALID_ADDRESS.has(code)) return new SendFailure('invalid-address', text);
  if (code && OPTED_OUT.has(code)) return new SendFailure('opted-out', text);
  if (code && RETRYABLE_PREFIXES.some((p) => code.startsWith(p))) return new SendFailure('retryable', text);
  return new SendFailure('rejected', text);
}

interface TencentErrorShape {
  code?: unknown;
  httpCode?: unknown;
  message?: unknown;
}

/**
 * What a thrown SendSms error means. The SDK throws a TencentCloudSDKHttpException: with `code` when
 * Tencent answered an API error, with `httpCode` when it answered another HTTP status, and with only
 * the network error's message when no answer came (node-fetch's "network timeout at…", which may
 * follow a send) or no connection was made (ECONNREFUSED…, which never sent).
 */
export function classifyTencentError(error: unknown): SendFailure {
  const e: TencentErrorShape =
    typeof error === 'object' && error !== null ? (error as TencentErrorShape) : {};
  const cause = { cause: error };
  const message = typeof e.message === 'string' ? e.message : '';
  if (typeof e.code === 'string' && e.code !== '') {
    const failure = classifyTencentCode(e.code, message);
    return new SendFailure(failure.kind, failure.message, undefined, cause);
  }
  if (typeof e.httpCode === 'number') {
    const status = e.httpCode;
    const text = `Tencent Cloud answered HTTP ${status}`;
    if (status === 502 || status === 504) return new SendFailure('unknown-outcome', text, undefined, cause);
    if (status === 429 || status >= 500) return new SendFailure('retryable', text, undefined, cause);
    return new SendFailure('rejected', text, undefined, cause);
  }
  const never = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH/.exec(message);
  if (never) {
    return new SendFailure('retryable', `could not reach Tencent Cloud (${never[0]})`, undefined, cause);
  }
  const timeout = /timeout/i.test(message);
  return new SendFailure(
    'unknown-outcome',
    timeout
      ? 'no answer from Tencent Cloud in time'
      : `no answer from Tencent Cloud (${maskPhonesIn(message)})`,
    undefined,
    cause,
  );
}
