// Tencent Cloud SMS (SendSms 2021-01-11) for mainland numbers: the second domestic provider. Every
// message goes by an approved template (lib/domain/sms-templates.ts), with our outbound key as
// SessionContext so the status callback finds it. One request signed with TC3-HMAC-SHA256 over Node's
// https (provider-https.ts), as the official SDK sends it, without the SDK's half megabyte.
import { classifyNoAnswer, ProviderHttps, type ProviderRequest } from '#lib/channels/provider-https.ts';
import { tc3Authorization } from '#lib/channels/tencent-sms/tencent-tc3-signature.ts';
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
  /** The time signed into X-TC-Timestamp (Tencent refuses a request far from its own clock). */
  now?: () => Date;
}

/** SendSms's request (2021-01-11), the fields we use. */
export interface TencentSendSmsRequest {
  PhoneNumberSet: string[];
  SmsSdkAppId: string;
  SignName: string;
  TemplateId: string;
  TemplateParamSet: string[];
  SessionContext?: string;
}

interface TencentSendSmsAnswer {
  Response?: {
    Error?: { Code?: string; Message?: string };
    SendStatusSet?: { Code?: string; Message?: string; SerialNo?: string }[];
  };
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
  private readonly https: ProviderHttps;

  constructor(private readonly options: TencentSmsOutboundOptions) {
    this.https = new ProviderHttps(
      options.endpoint ?? 'sms.tencentcloudapi.com',
      options.protocol ?? 'https',
      options.timeoutMs ?? 5000,
    );
  }

  /** SendSms as the SDK sends it: a JSON POST to /, the action in X-TC-Action, signed (TC3). */
  signedRequest(request: TencentSendSmsRequest): ProviderRequest {
    const body = JSON.stringify(request);
    const timestamp = Math.floor((this.options.now ?? (() => new Date()))().getTime() / 1000);
    const contentType = 'application/json';
    const authorization = tc3Authorization(
      {
        method: 'POST',
        hostname: new URL(`http://${this.https.endpoint}`).hostname,
        path: '/',
        query: '',
        contentType,
        payload: body,
        timestamp,
        service: 'sms',
      },
      this.options.secretId,
      this.options.secretKey,
    );
    return {
      method: 'POST',
      path: '/',
      headers: {
        host: this.https.endpoint,
        'content-type': contentType,
        'x-tc-action': 'SendSms',
        'x-tc-version': '2021-01-11',
        'x-tc-timestamp': String(timestamp),
        'x-tc-region': this.options.region ?? 'ap-guangzhou',
        authorization,
      },
      body,
    };
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
    const request: TencentSendSmsRequest = {
      PhoneNumberSet: [phone],
      SmsSdkAppId: this.options.sdkAppId,
      SignName: this.options.signName,
      TemplateId: templateId,
      // Tencent's variables are positional ({1}, {2}, …), in the catalogue's order.
      TemplateParamSet: rendered.template.variables.map((v) => rendered.params[v] ?? ''),
      ...(options.key ? { SessionContext: options.key } : {}),
    };
    // No retry here: the send worker owns retries (backoff, attempts, DLQ).
    let answer: { status: number; text: string };
    try {
      answer = await this.https.request(this.signedRequest(request));
    } catch (error) {
      throw classifyNoAnswer(error, 'Tencent Cloud');
    }
    let parsed: TencentSendSmsAnswer | undefined;
    try {
      parsed = JSON.parse(answer.text) as TencentSendSmsAnswer;
    } catch {
      parsed = undefined;
    }
    if (answer.status !== 200) throw classifyTencentError({ httpCode: answer.status });
    // It answered 200 but unreadably: the message may have gone, never resend blindly.
    if (!parsed?.Response)
      throw new SendFailure('unknown-outcome', 'Tencent Cloud answered 200 without a Response');
    const apiError = parsed.Response.Error;
    if (apiError) throw classifyTencentError({ code: apiError.Code ?? '', message: apiError.Message ?? '' });
    const response = parsed.Response;
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
  code?: string;
  httpCode?: number;
  message?: string;
}

/**
 * What an answer other than a SendStatus means: an API error (Response.Error's Code) or another HTTP
 * status. No answer at all is classifyNoAnswer's.
 */
export function classifyTencentError(error: TencentErrorShape): SendFailure {
  if (error.code) return classifyTencentCode(error.code, error.message);
  const status = error.httpCode ?? 0;
  const text = `Tencent Cloud answered HTTP ${status}`;
  if (status === 502 || status === 504) return new SendFailure('unknown-outcome', text);
  if (status === 429 || status >= 500) return new SendFailure('retryable', text);
  return new SendFailure('rejected', text);
}
