// A local stand-in for Alibaba Cloud's SendSms (RPC style: the parameters in the query string), for
// `SMS_PROVIDER=aliyun npm start` and the tests. Our SendSms client talks to it over http; like the
// provider it checks the V3 signature with the AccessKey's secret it knows (a broken signer fails here),
// fills the template as the provider would and shows the message as the phone would, signature first.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acs3Authorization, sha256Hex } from '#lib/channels/aliyun-sms/aliyun-acs3-signature.ts';
import { MAINLAND_SMS_LOCAL_DEFAULTS } from '#lib/config/local-defaults.ts';
import { SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';

export interface SendSmsCall {
  phoneNumbers: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  outId: string | undefined;
  /** The message as the phone shows it; undefined when the template or a variable was missing. */
  text: string | undefined;
  /** The AccessKey ID the request was signed with (and the signature checked). */
  accessKeyId: string | undefined;
  bizId: string | undefined;
}

/** How to answer one call: HTTP status and JSON body, or no answer at all (a hang until closed). */
export type SendSmsAnswer = { status: number; body: Record<string, unknown> } | { hang: true };

export interface SendSmsStandIn {
  /** host:port, as the client's `endpoint` takes it. */
  readonly endpoint: string;
  readonly calls: SendSmsCall[];
  /** Answers the next calls (one entry each) instead of the default OK. */
  readonly script: SendSmsAnswer[];
  close(): Promise<void>;
}

/** Our catalogue's text by code, where the code is the catalogue id (local dev and tests). */
export const catalogueText = (code: string): string | undefined =>
  SMS_TEMPLATES.find((t) => t.id === code)?.text;

function fill(template: string, params: Record<string, string>): string | undefined {
  let missing = false;
  const text = template.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') missing = true;
    return value ?? '';
  });
  return missing ? undefined : text;
}

/** Why Alibaba Cloud would refuse the request's signature, or undefined when it is right. */
export function aliyunSignatureRefusal(
  req: IncomingMessage,
  body: Buffer,
  keys: Readonly<Record<string, string>>,
): { status: number; code: string; message: string } | undefined {
  const auth = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/.exec(
    req.headers.authorization ?? '',
  );
  if (!auth) return { status: 400, code: 'MissingAuthorization', message: 'Authorization is mandatory.' };
  const [, keyId = '', signedNames = '', signature = ''] = auth;
  const secret = keys[keyId];
  if (secret === undefined) {
    return {
      status: 404,
      code: 'InvalidAccessKeyId.NotFound',
      message: 'Specified access key is not found.',
    };
  }
  if (req.headers['x-acs-content-sha256'] !== sha256Hex(body)) {
    return { status: 400, code: 'IncompleteSignature', message: 'The payload hash does not match.' };
  }
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const query: Record<string, string> = {};
  for (const pair of url.search.slice(1).split('&').filter(Boolean)) {
    const [name = '', value = ''] = pair.split('=');
    query[decodeURIComponent(name)] = decodeURIComponent(value);
  }
  const headers: Record<string, string> = {};
  for (const name of signedNames.split(';')) headers[name] = String(req.headers[name] ?? '');
  const expected = /Signature=([0-9a-f]+)$/.exec(
    acs3Authorization(
      { method: req.method ?? '', pathname: url.pathname, query, headers },
      sha256Hex(body),
      keyId,
      secret,
    ),
  )?.[1];
  if (
    !expected ||
    expected.length !== signature.length ||
    !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
  ) {
    return {
      status: 400,
      code: 'SignatureDoesNotMatch',
      message: 'Specified signature is not matched with our calculation.',
    };
  }
  return undefined;
}

export async function startSendSmsStandIn(options: {
  port?: number;
  /** AccessKey ID → secret the stand-in checks signatures with; the local defaults' pair if unset. */
  keys?: Readonly<Record<string, string>>;
  templateText?: (code: string) => string | undefined;
  /** Called with each message taken (the local outbox records it). */
  onSent?: (call: SendSmsCall) => void;
}): Promise<SendSmsStandIn> {
  const textOf = options.templateText ?? catalogueText;
  const keys = options.keys ?? {
    [MAINLAND_SMS_LOCAL_DEFAULTS.ALIYUN_SMS_ACCESS_KEY_ID]:
      MAINLAND_SMS_LOCAL_DEFAULTS.ALIYUN_SMS_ACCESS_KEY_SECRET,
  };
  const calls: SendSmsCall[] = [];
  const script: SendSmsAnswer[] = [];
  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const q = new URL(req.url ?? '/', 'http://stand-in').searchParams;
      const requestId = randomBytes(8).toString('hex').toUpperCase();
      // Refused before anything else, as the provider does: nothing is taken or recorded.
      const refusal = aliyunSignatureRefusal(req, Buffer.concat(chunks), keys);
      if (refusal) {
        return answer(res, refusal.status, {
          Code: refusal.code,
          Message: refusal.message,
          RequestId: requestId,
        });
      }
      let params: Record<string, string> = {};
      try {
        params = JSON.parse(q.get('TemplateParam') ?? '{}') as Record<string, string>;
      } catch {
        return answer(res, 200, {
          Code: 'isv.INVALID_JSON_PARAM',
          Message: 'JSON参数不合法',
          RequestId: requestId,
        });
      }
      const template = textOf(q.get('TemplateCode') ?? '');
      const filled = template === undefined ? undefined : fill(template, params);
      const signName = q.get('SignName') ?? '';
      const call: SendSmsCall = {
        phoneNumbers: q.get('PhoneNumbers') ?? '',
        signName,
        templateCode: q.get('TemplateCode') ?? '',
        params,
        outId: q.get('OutId') ?? undefined,
        text: filled === undefined ? undefined : `【${signName}】${filled}`,
        accessKeyId: /Credential=([^,/]+)/.exec(req.headers.authorization ?? '')?.[1],
        bizId: undefined,
      };
      calls.push(call);
      const scripted = script.shift();
      if (scripted && 'hang' in scripted) return; // never answered: the client times out
      if (scripted) return answer(res, scripted.status, scripted.body);
      if (req.headers['x-acs-action'] !== 'SendSms') {
        return answer(res, 400, { Code: 'InvalidAction', Message: 'only SendSms', RequestId: requestId });
      }
      if (!/^1[3-9]\d{9}$/.test(call.phoneNumbers)) {
        return answer(res, 200, {
          Code: 'isv.MOBILE_NUMBER_ILLEGAL',
          Message: '非法手机号',
          RequestId: requestId,
        });
      }
      if (template === undefined) {
        return answer(res, 200, {
          Code: 'isv.SMS_TEMPLATE_ILLEGAL',
          Message: '模板不合法',
          RequestId: requestId,
        });
      }
      if (call.text === undefined) {
        return answer(res, 200, {
          Code: 'isv.TEMPLATE_MISSING_PARAMETERS',
          Message: '模板缺少变量',
          RequestId: requestId,
        });
      }
      call.bizId = `${Date.now()}${calls.length}^0`;
      options.onSent?.(call);
      return answer(res, 200, { Code: 'OK', Message: 'OK', BizId: call.bizId, RequestId: requestId });
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
