// A local stand-in for Tencent Cloud's SendSms (API 3.0: a JSON POST, the action in X-TC-Action), for
// `SMS_PROVIDER=tencent npm start` and the tests. Our SendSms client talks to it over http; like Tencent
// it checks the TC3 signature with the SecretKey it knows (a broken signer fails here), fills the template ({1}, {2}, …) as Tencent would and shows the message as the phone
// would, signature first, and refuses what Tencent refuses (a number, a template, a variable too long).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tc3Authorization } from '#lib/channels/tencent-sms/tencent-tc3-signature.ts';
import { MAINLAND_SMS_LOCAL_DEFAULTS } from '#lib/config/local-defaults.ts';
import { providerTemplateText, SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';

export interface TencentSendSmsCall {
  phoneNumber: string;
  sdkAppId: string;
  signName: string;
  templateId: string;
  /** TemplateParamSet, by position. */
  paramSet: string[];
  sessionContext: string | undefined;
  /** The message as the phone shows it; undefined when the template or a variable was wrong. */
  text: string | undefined;
  /** The SecretId named in the request's TC3 Authorization header. */
  secretId: string | undefined;
  serialNo: string | undefined;
}

/** How to answer one call: HTTP status and JSON body, or no answer at all (a hang until closed). */
export type TencentSendSmsAnswer = { status: number; body: Record<string, unknown> } | { hang: true };

export interface TencentSendSmsStandIn {
  /** host:port, as the client's httpProfile.endpoint takes it. */
  readonly endpoint: string;
  readonly calls: TencentSendSmsCall[];
  /** Answers the next calls (one entry each) instead of the default. */
  readonly script: TencentSendSmsAnswer[];
  close(): Promise<void>;
}

/** Our catalogue's text in Tencent's form, by TemplateId, where the id is the catalogue id. */
export const tencentCatalogueText = (templateId: string): string | undefined => {
  const template = SMS_TEMPLATES.find((t) => t.id === templateId);
  return template && providerTemplateText(template, 'tencent');
};

/** Why Tencent Cloud would refuse the request's signature (its Error Code), or undefined when right. */
export function tencentSignatureRefusal(
  req: IncomingMessage,
  body: string,
  keys: Readonly<Record<string, string>>,
): { code: string; message: string } | undefined {
  const auth =
    /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/(\w+)\/tc3_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(
      req.headers.authorization ?? '',
    );
  if (!auth)
    return { code: 'AuthFailure.SignatureFailure', message: 'The Authorization header is malformed.' };
  const [, secretId = '', , service = '', , signature = ''] = auth;
  const secretKey = keys[secretId];
  if (secretKey === undefined)
    return { code: 'AuthFailure.SecretIdNotFound', message: 'The SecretId is not found.' };
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'stand-in'}`);
  const expected = /Signature=([0-9a-f]+)$/.exec(
    tc3Authorization(
      {
        method: req.method === 'GET' ? 'GET' : 'POST',
        hostname: url.hostname,
        path: url.pathname,
        query: url.search.slice(1),
        contentType: String(req.headers['content-type'] ?? ''),
        payload: body,
        timestamp: Number(req.headers['x-tc-timestamp']),
        service,
      },
      secretId,
      secretKey,
    ),
  )?.[1];
  if (
    !expected ||
    expected.length !== signature.length ||
    !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  ) {
    return {
      code: 'AuthFailure.SignatureFailure',
      message: 'The provided credentials could not be validated.',
    };
  }
  return undefined;
}

export async function startTencentSendSmsStandIn(options: {
  port?: number;
  /** SecretId → SecretKey the stand-in checks signatures with; the local defaults' pair if unset. */
  keys?: Readonly<Record<string, string>>;
  templateText?: (templateId: string) => string | undefined;
  /** The longest variable value accepted (Tencent refuses longer with TemplateParameterLengthLimit). */
  maxVariableChars?: number;
  onSent?: (call: TencentSendSmsCall) => void;
}): Promise<TencentSendSmsStandIn> {
  const textOf = options.templateText ?? tencentCatalogueText;
  const keys = options.keys ?? {
    [MAINLAND_SMS_LOCAL_DEFAULTS.TENCENT_SMS_SECRET_ID]: MAINLAND_SMS_LOCAL_DEFAULTS.TENCENT_SMS_SECRET_KEY,
  };
  const maxVariable = options.maxVariableChars ?? 12;
  const calls: TencentSendSmsCall[] = [];
  const script: TencentSendSmsAnswer[] = [];
  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, requestId: string, code: string, message: string) =>
    answer(res, 200, { Response: { Error: { Code: code, Message: message }, RequestId: requestId } });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const requestId = randomBytes(16).toString('hex');
      const raw = Buffer.concat(chunks).toString('utf8');
      // Refused before anything else, as Tencent does: nothing is taken or recorded.
      const refusal = tencentSignatureRefusal(req, raw, keys);
      if (refusal) return error(res, requestId, refusal.code, refusal.message);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return error(res, requestId, 'InvalidParameter', 'the body is not JSON');
      }
      const paramSet = Array.isArray(body.TemplateParamSet) ? body.TemplateParamSet.map(String) : [];
      const phones = Array.isArray(body.PhoneNumberSet) ? body.PhoneNumberSet.map(String) : [];
      const templateId = String(body.TemplateId ?? '');
      const signName = String(body.SignName ?? '');
      const template = textOf(templateId);
      let filled: string | undefined;
      if (template !== undefined) {
        const count = (template.match(/\{\d+\}/g) ?? []).length;
        filled =
          count === paramSet.length && paramSet.every((p) => p !== '')
            ? template.replace(/\{(\d+)\}/g, (_, n: string) => paramSet[Number(n) - 1] ?? '')
            : undefined;
      }
      const call: TencentSendSmsCall = {
        phoneNumber: phones[0] ?? '',
        sdkAppId: String(body.SmsSdkAppId ?? ''),
        signName,
        templateId,
        paramSet,
        sessionContext: typeof body.SessionContext === 'string' ? body.SessionContext : undefined,
        text: filled === undefined ? undefined : `【${signName}】${filled}`,
        secretId: /Credential=([^/,\s]+)/.exec(req.headers.authorization ?? '')?.[1],
        serialNo: undefined,
      };
      calls.push(call);
      const scripted = script.shift();
      if (scripted && 'hang' in scripted) return; // never answered: the client times out
      if (scripted) return answer(res, scripted.status, scripted.body);
      if (req.headers['x-tc-action'] !== 'SendSms') {
        return error(res, requestId, 'InvalidAction', 'only SendSms');
      }
      if (phones.length !== 1)
        return error(res, requestId, 'InvalidParameterValue', 'one number per call here');
      if (template === undefined) {
        return error(res, requestId, 'FailedOperation.TemplateIncorrectOrUnapproved', '模板未审批或不存在');
      }
      if (filled === undefined) {
        return error(
          res,
          requestId,
          'FailedOperation.TemplateParamSetNotMatchApprovedTemplate',
          '请求内容与审核通过的模板内容不匹配',
        );
      }
      if (paramSet.some((p) => [...p].length > maxVariable)) {
        return error(
          res,
          requestId,
          'InvalidParameterValue.TemplateParameterLengthLimit',
          '单个模板变量字符数超过限制',
        );
      }
      const status = (Code: string, Message: string, extra: Record<string, unknown> = {}) => ({
        PhoneNumber: call.phoneNumber,
        SessionContext: call.sessionContext ?? '',
        Code,
        Message,
        IsoCode: 'CN',
        ...extra,
      });
      if (!/^(\+86)?1[3-9]\d{9}$/.test(call.phoneNumber)) {
        return answer(res, 200, {
          Response: {
            SendStatusSet: [
              status('InvalidParameterValue.IncorrectPhoneNumber', '手机号格式错误', {
                Fee: 0,
                SerialNo: '',
              }),
            ],
            RequestId: requestId,
          },
        });
      }
      call.serialNo = `2028:${randomBytes(10).toString('hex')}`;
      options.onSent?.(call);
      const chars = [...(call.text ?? '')].length;
      return answer(res, 200, {
        Response: {
          SendStatusSet: [
            status('Ok', 'send success', {
              Fee: chars <= 70 ? 1 : Math.ceil(chars / 67),
              SerialNo: call.serialNo,
            }),
          ],
          RequestId: requestId,
        },
      });
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `127.0.0.1:${port}`,
    calls,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
