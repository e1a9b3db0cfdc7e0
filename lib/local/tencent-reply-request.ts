// A carer's reply as Tencent Cloud calls back with it (短信回复), for `npm run chat -- --tencent`.
import { loadMainlandSmsSettings } from '#lib/config/mainland-sms.ts';

/** The callback body Tencent Cloud posts for one reply: the mobile without +86, the time in Unix seconds. */
export function tencentReplyBody(from: string, text: string, at: Date): string {
  return JSON.stringify({
    extend: '',
    mobile: from.replace(/^\+86/, ''),
    nationcode: '86',
    sign: '连心',
    text,
    time: Math.floor(at.getTime() / 1000),
  });
}

export async function sendTencentReply(base: string, from: string, text: string): Promise<void> {
  const settings = await loadMainlandSmsSettings({ LIANXIN_ENV: 'local' });
  const secret = settings.tencentCallbackSecrets[0];
  const response = await fetch(`${base}/webhooks/tencent-sms/reply/${secret}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: tencentReplyBody(from, text, new Date()),
  });
  const body = await response.text();
  console.log(response.ok ? '  (taken; replies follow by template)' : `  [${response.status}] ${body}`);
}
