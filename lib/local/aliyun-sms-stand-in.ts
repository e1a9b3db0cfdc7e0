// A local stand-in for Alibaba Cloud's SendSms (RPC style: the parameters in the query string), for
// `SMS_PROVIDER=aliyun npm start` and the tests. The real dysmsapi client talks to it over http; it
// fills the template as the provider would and shows the message as the phone would, signature first.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMS_TEMPLATES } from '#lib/domain/sms-templates.ts';

export interface SendSmsCall {
  phoneNumbers: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  outId: string | undefined;
  /** The message as the phone shows it; undefined when the template or a variable was missing. */
  text: string | undefined;
  /** The request carried Alibaba Cloud's signature headers for this AccessKey ID. */
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

export async function startSendSmsStandIn(options: {
  port?: number;
  templateText?: (code: string) => string | undefined;
  /** Called with each message taken (the local outbox records it). */
  onSent?: (call: SendSmsCall) => void;
}): Promise<SendSmsStandIn> {
  const textOf = options.templateText ?? catalogueText;
  const calls: SendSmsCall[] = [];
  const script: SendSmsAnswer[] = [];
  const answer = (res: ServerResponse, status: number, body: Record<string, unknown>) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const q = new URL(req.url ?? '/', 'http://stand-in').searchParams;
      const requestId = randomBytes(8).toString('hex').toUpperCase();
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
        accessKeyId: /AccessKeyId=|Credential=([^,/]+)/.exec(req.headers.authorization ?? '')?.[1],
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
