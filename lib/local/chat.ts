// `npm run chat -- --as +8613800000001`: a terminal phone. Each line is posted to the local
// SMS webhook exactly as Twilio would post it; replies and new outbox messages are printed.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '#lib/config.ts';
import {
  inboundSmsParams,
  messagesFromTwiml,
  signedInboundSmsRequest,
} from '#lib/local/twilio-inbound-request.ts';

const { values } = parseArgs({
  options: { as: { type: 'string', default: '+8613800000001' }, url: { type: 'string' } },
});
const config = loadConfig({ ...process.env, LIANXIN_ENV: 'local' });
const base = (values.url ?? config.PUBLIC_URL).replace(/\/+$/, '');
const from = values.as ?? '+8613800000001';
const webhook = `${config.PUBLIC_URL}/webhooks/twilio/sms`;
let outboxSeen = 0;

async function sendLine(text: string): Promise<void> {
  const params = inboundSmsParams({
    from,
    to: config.TWILIO_PHONE_NUMBER,
    body: text,
    accountSid: config.TWILIO_ACCOUNT_SID,
  });
  const request = signedInboundSmsRequest({ url: webhook, authToken: config.TWILIO_AUTH_TOKEN, params });
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

async function printOutbox(): Promise<void> {
  // The send worker drains its queue every 250 ms: give it a moment before looking.
  await new Promise((resolve) => setTimeout(resolve, 600));
  const response = await fetch(`${base}/dev/outbox?since=${outboxSeen}`);
  if (!response.ok) return;
  const { messages } = (await response.json()) as { messages: { seq: number; to: string; body: string }[] };
  for (const m of messages) {
    console.log(`  [outbox → ${m.to}] ${m.body}`);
    outboxSeen = Math.max(outboxSeen, m.seq);
  }
}

try {
  await printOutboxBaseline();
} catch {
  console.error(`Nothing answers at ${base}. Start lianxin first: npm start`);
  process.exit(1);
}
console.log(`Texting lianxin as ${from}. Type a message and press Enter (Ctrl-D to quit).`);
const lines = createInterface({ input: process.stdin, terminal: process.stdin.isTTY });
lines.setPrompt('→ ');
lines.prompt();
// Lines are sent one at a time, in order, as a phone would.
for await (const line of lines) {
  if (line.trim() !== '') await sendLine(line);
  lines.prompt();
}

async function printOutboxBaseline(): Promise<void> {
  const response = await fetch(`${base}/dev/outbox`);
  const { messages } = (await response.json()) as { messages: { seq: number }[] };
  outboxSeen = messages.reduce((max, m) => Math.max(max, m.seq), 0);
}
