// `SMS_PROVIDER=aliyun|tencent npm start`: mainland numbers go by the provider's signed client to a local
// stand-in of its SendSms, which shows each message in the outbox with its template code and variables.
// With SMS_FALLBACK_PROVIDER set, the second provider's stand-in runs too.
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { loadMainlandSmsSettings, type MainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { withLocalDefaults } from '#lib/config/parse-env.ts';
import { startSendSmsStandIn } from '#lib/local/aliyun-sms-stand-in.ts';
import { startTencentSendSmsStandIn } from '#lib/local/tencent-sms-stand-in.ts';

export interface LocalMainlandSms {
  settings: MainlandSmsSettings;
  /** Lines for the start banner. */
  banner: string[];
  stop(): Promise<void>;
}

export async function startLocalMainlandSms(publicUrl: string): Promise<LocalMainlandSms> {
  const stops: (() => Promise<void>)[] = [];
  const endpoints: Record<string, string> = {};
  const uses = (p: string) => process.env.SMS_PROVIDER === p || process.env.SMS_FALLBACK_PROVIDER === p;
  if (uses('aliyun')) {
    const standIn = await startSendSmsStandIn({
      onSent: (call) =>
        localOutbox.record('sms', `+86${call.phoneNumbers}`, call.text ?? '', 'aliyun', {
          code: call.templateCode,
          params: call.params,
        }),
    });
    endpoints.aliyun = standIn.endpoint;
    // Read by the send worker's settings below, as the deployed function reads its environment.
    process.env.ALIYUN_SMS_ENDPOINT = standIn.endpoint;
    process.env.ALIYUN_SMS_PROTOCOL = 'http';
    stops.push(() => standIn.close());
  }
  if (uses('tencent')) {
    const env = withLocalDefaults({ ...process.env, LIANXIN_ENV: 'local' });
    const standIn = await startTencentSendSmsStandIn({
      maxVariableChars: Number(env.TENCENT_SMS_MAX_VARIABLE_CHARS ?? 12),
      onSent: (call) =>
        localOutbox.record('sms', call.phoneNumber, call.text ?? '', 'tencent', {
          code: call.templateId,
          params: Object.fromEntries(call.paramSet.map((p, i) => [`c${i + 1}`, p])),
        }),
    });
    endpoints.tencent = standIn.endpoint;
    process.env.TENCENT_SMS_ENDPOINT = standIn.endpoint;
    process.env.TENCENT_SMS_PROTOCOL = 'http';
    stops.push(() => standIn.close());
  }
  const settings = await loadMainlandSmsSettings({ LIANXIN_ENV: 'local' });
  const aliyunSecret = settings.aliyunCallbackSecrets[0] ?? '(none)';
  const tencentSecret = settings.tencentCallbackSecrets[0] ?? '(none)';
  const name = { aliyun: 'Alibaba Cloud', tencent: 'Tencent Cloud' } as const;
  const route =
    settings.provider === 'twilio'
      ? '+86 mobiles by Twilio (SMS_PROVIDER=aliyun or tencent for the domestic path)'
      : `+86 mobiles by ${name[settings.provider]} SendSms (local stand-in at ${endpoints[settings.provider]})${
          settings.fallback
            ? `, failing over to ${name[settings.fallback]} (${endpoints[settings.fallback]})`
            : ''
        }`;
  return {
    settings,
    stop: async () => {
      for (const stop of stops) await stop();
    },
    banner: [
      `  mainland SMS       ${route}`,
      `  Alibaba Cloud push POST ${publicUrl}/webhooks/aliyun-sms/up/${aliyunSecret}  (replies)`,
      `                     POST ${publicUrl}/webhooks/aliyun-sms/report/${aliyunSecret}  (receipts)`,
      `  Tencent Cloud      POST ${publicUrl}/webhooks/tencent-sms/reply/${tencentSecret}  (replies)`,
      `                     POST ${publicUrl}/webhooks/tencent-sms/status/${tencentSecret}  (status)`,
    ],
  };
}
