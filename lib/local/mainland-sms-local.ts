// `SMS_PROVIDER=aliyun npm start`: mainland numbers go by the real Alibaba Cloud client to a local
// stand-in of SendSms, which shows each message in the outbox with its template code and variables.
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { loadMainlandSmsSettings, type MainlandSmsSettings } from '#lib/config/mainland-sms.ts';
import { startSendSmsStandIn } from '#lib/local/aliyun-sms-stand-in.ts';

export interface LocalMainlandSms {
  settings: MainlandSmsSettings;
  /** Lines for the start banner. */
  banner: string[];
  stop(): Promise<void>;
}

export async function startLocalMainlandSms(publicUrl: string): Promise<LocalMainlandSms> {
  let stop = async (): Promise<void> => undefined;
  let endpoint: string | undefined;
  if (process.env.SMS_PROVIDER === 'aliyun') {
    const standIn = await startSendSmsStandIn({
      onSent: (call) =>
        localOutbox.record('sms', `+86${call.phoneNumbers}`, call.text ?? '', 'aliyun', {
          code: call.templateCode,
          params: call.params,
        }),
    });
    endpoint = standIn.endpoint;
    // Read by the send worker's settings below, as the deployed function reads its environment.
    process.env.ALIYUN_SMS_ENDPOINT = standIn.endpoint;
    process.env.ALIYUN_SMS_PROTOCOL = 'http';
    stop = () => standIn.close();
  }
  const settings = await loadMainlandSmsSettings({ LIANXIN_ENV: 'local' });
  const secret = settings.aliyunCallbackSecrets[0] ?? '(none)';
  return {
    settings,
    stop,
    banner: [
      `  mainland SMS       ${settings.provider === 'aliyun' ? `+86 mobiles by Alibaba Cloud SendSms (local stand-in at ${endpoint})` : '+86 mobiles by Twilio (SMS_PROVIDER=aliyun for the domestic path)'}`,
      `  Alibaba Cloud push POST ${publicUrl}/webhooks/aliyun-sms/up/${secret}  (replies)`,
      `                     POST ${publicUrl}/webhooks/aliyun-sms/report/${secret}  (receipts)`,
    ],
  };
}
