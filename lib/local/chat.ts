// `npm run chat -- --as +8613800000001`: a terminal phone. Each line is posted to the local
// SMS webhook exactly as Twilio would post it; replies and new outbox messages are printed.
// `npm run chat -- --wechat oTEST123`: the same as a WeChat user, each line posted to the WeChat
// webhook as WeChat's servers post it (XML, signed, encrypted in safe mode unless --plain).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { OPENID } from '#lib/channels/wechat/wechat-inbound.ts';
import { loadConfig, twilioAuthToken } from '#lib/config/core.ts';
import { wechatInboundSettings } from '#lib/config/wechat.ts';
import { sendAliyunUplink } from '#lib/local/aliyun-uplink-request.ts';
import { sendTencentReply } from '#lib/local/tencent-reply-request.ts';
import {
  inboundSmsParams,
  messagesFromTwiml,
  signedInboundSmsRequest,
} from '#lib/local/twilio-inbound-request.ts';
import {
  eventXml,
  mediaMessageXml,
  readPassiveReply,
  signedWechatPost,
  textMessageXml,
  type WechatKeys,
} from '#lib/local/wechat-inbound-request.ts';

const { values } = parseArgs({
  options: {
    as: { type: 'string', default: '+8613800000001' },
    wechat: { type: 'string' },
    plain: { type: 'boolean', default: false },
    url: { type: 'string' },
    aliyun: { type: 'boolean', default: false },
    tencent: { type: 'boolean', default: false },
  },
});
const config = loadConfig({ ...process.env, LIANXIN_ENV: 'local' });
const base = (values.url ?? config.PUBLIC_URL).replace(/\/+$/, '');
const from = values.as ?? '+8613800000001';
const webhook = `${config.PUBLIC_URL}/webhooks/twilio/sms`;
const openId = values.wechat;
if (openId !== undefined && !OPENID.test(openId)) {
  console.error('--wechat wants an OpenID: 6-64 letters, digits, _ or - (e.g. oTEST123)');
  process.exit(2);
}
const wechat = wechatInboundSettings(config);
const wechatKeys: WechatKeys = {
  token: wechat.token,
  appId: wechat.appId,
  encodingAesKey: values.plain ? undefined : wechat.encodingAesKey,
};
let outboxSeen = 0;

async function sendLine(text: string): Promise<void> {
  const params = inboundSmsParams({
    from,
    to: config.TWILIO_PHONE_NUMBER,
    body: text,
    accountSid: config.TWILIO_ACCOUNT_SID,
  });
  const request = signedInboundSmsRequest({ url: webhook, authToken: twilioAuthToken(config), params });
  const response = await fetch(`${base}/webhooks/twilio/sms`, { method: 'POST', ...request });
  const body = await response.text();
  if (!response.ok) {
    console.log(`  [${response.status}] ${body}`);
  } else {
    const replies = messagesFromTwiml(body);
    if (replies.length === 0) console.log('  (no reply)');
    for (const reply of replies) console.log(`← ${reply}`);
  }
  await printOutbox();
}

/** A WeChat message: text, or `/photo`, `/follow`, `/unfollow` for the other things a user does. */
async function sendWechat(user: string, line: string): Promise<void> {
  // WeChat stamps each message with its time (CreateTime), which opens the 48-hour window: the local
  // server's time, which `npm run tick -- --at` may have moved, not this machine's.
  const at = await serverTime();
  const xml =
    line === '/photo'
      ? mediaMessageXml({ openId: user, msgType: 'image', at })
      : line === '/follow' || line === '/unfollow'
        ? eventXml({ openId: user, event: line === '/follow' ? 'subscribe' : 'unsubscribe', at })
        : textMessageXml({ openId: user, content: line, at });
  const post = signedWechatPost(`${config.PUBLIC_URL}/webhooks/wechat`, wechatKeys, xml, user);
  const url = new URL(post.url);
  const response = await fetch(`${base}${url.pathname}${url.search}`, {
    method: 'POST',
    headers: post.headers,
    body: post.body,
  });
  const body = await response.text();
  if (!response.ok) console.log(`  [${response.status}] ${body}`);
  else {
    const reply = readPassiveReply(body, wechatKeys);
    console.log(reply === undefined ? '  (no reply: success)' : `← ${reply}`);
  }
  await printOutbox();
}

/** The local server's clock (GET /dev/clock); this machine's when the server has none (deployed). */
async function serverTime(): Promise<Date> {
  try {
    const response = await fetch(`${base}/dev/clock`);
    const { now } = (await response.json()) as { now?: string };
    const at = now ? new Date(now) : new Date(Number.NaN);
    return Number.isNaN(at.getTime()) ? new Date() : at;
  } catch {
    return new Date();
  }
}

async function printOutbox(): Promise<void> {
  // The send worker drains its queue every 250 ms: give it a moment before looking.
  await new Promise((resolve) => setTimeout(resolve, 600));
  const response = await fetch(`${base}/dev/outbox?since=${outboxSeen}`);
  if (!response.ok) return;
  const { messages } = (await response.json()) as {
    messages: { seq: number; channel: string; to: string; body: string; via?: string }[];
  };
  for (const m of messages) {
    const how = m.channel === 'sms' && !m.via ? '' : ` ${m.channel}${m.via ? ` (${m.via})` : ''}`;
    console.log(`  [outbox →${how} ${m.to}] ${m.body}`);
    outboxSeen = Math.max(outboxSeen, m.seq);
  }
}

try {
  await printOutboxBaseline();
} catch {
  console.error(`Nothing answers at ${base}. Start lianxin first: npm start`);
  process.exit(1);
}
const send =
  openId !== undefined
    ? (line: string) => sendWechat(openId, line)
    : values.aliyun
      ? (line: string) => sendAliyunUplink(base, from, line).then(printOutbox)
      : values.tencent
        ? (line: string) => sendTencentReply(base, from, line).then(printOutbox)
        : sendLine;
if (openId === undefined) {
  console.log(
    `Texting lianxin as ${from}${values.aliyun ? ' through Alibaba Cloud (uplink pushes; replies come by template)' : values.tencent ? ' through Tencent Cloud (reply callbacks; replies come by template)' : ''}. Type a message and press Enter (Ctrl-D to quit).`,
  );
} else {
  console.log(
    `Chatting with the lianxin Official Account as WeChat user ${openId} (${values.plain ? 'plaintext' : 'safe mode, encrypted'}).`,
  );
  console.log(
    'Type a message and press Enter; /photo sends a picture, /unfollow and /follow; Ctrl-D to quit.',
  );
  console.log('→ (following the account)');
  await send('/follow');
}
const lines = createInterface({ input: process.stdin, terminal: process.stdin.isTTY });
lines.setPrompt('→ ');
lines.prompt();
// Lines are sent one at a time, in order, as a phone would.
for await (const line of lines) {
  if (line.trim() !== '') await send(line);
  lines.prompt();
}

async function printOutboxBaseline(): Promise<void> {
  const response = await fetch(`${base}/dev/outbox`);
  const { messages } = (await response.json()) as { messages: { seq: number }[] };
  outboxSeen = messages.reduce((max, m) => Math.max(max, m.seq), 0);
}
