// A carer's reply as Alibaba Cloud pushes it (HTTP batch push of SmsUp), for `npm run chat -- --aliyun`.
import { loadMainlandSmsSettings } from '#lib/config/mainland-sms.ts';

let sequence = Date.now();

/** "2026-12-05 10:00:00" in Beijing time, as the push writes send_time. */
function beijingTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
}

export async function sendAliyunUplink(base: string, from: string, text: string): Promise<void> {
  const settings = await loadMainlandSmsSettings({ LIANXIN_ENV: 'local' });
  const secret = settings.aliyunCallbackSecrets[0];
  const push = [
    {
      phone_number: from.replace(/^\+86/, ''),
      content: text,
      send_time: beijingTime(new Date()),
      dest_code: '1069000001',
      sequence_id: sequence++,
    },
  ];
  const response = await fetch(`${base}/webhooks/aliyun-sms/up/${secret}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(push),
  });
  const body = await response.text();
  console.log(response.ok ? '  (taken; replies follow by template)' : `  [${response.status}] ${body}`);
}
