// `npm run tick -- --at "2026-12-05T10:00+08:00"`: runs one scheduler tick in the running `npm start`
// (its DynamoDB Local, its table, its send queue), after moving its clock to that moment; without
// --at, at its current time. Prints what the tick did and what the outbox then shows.
import { parseArgs } from 'node:util';
import { loadConfig } from '#lib/config/core.ts';
import { parseTickTime, TICK_PATH } from '#lib/local/tick-route.ts';

const { values } = parseArgs({ options: { at: { type: 'string' }, url: { type: 'string' } } });
const config = loadConfig({ ...process.env, LIANXIN_ENV: 'local' });
const base = (values.url ?? config.PUBLIC_URL).replace(/\/+$/, '');
if (values.at !== undefined && parseTickTime(values.at) === undefined) {
  console.error(`--at wants a time such as 2026-12-05T10:00+08:00 (Shanghai if no offset), not ${values.at}`);
  process.exit(2);
}

interface OutboxMessage {
  seq: number;
  channel: string;
  to: string;
  body: string;
}
const outbox = async (since = 0): Promise<OutboxMessage[]> => {
  const response = await fetch(`${base}/dev/outbox?since=${since}`);
  return ((await response.json()) as { messages: OutboxMessage[] }).messages;
};

let seen: number;
try {
  seen = (await outbox()).reduce((max, m) => Math.max(max, m.seq), 0);
} catch {
  console.error(`Nothing answers at ${base}. Start lianxin first: npm start`);
  process.exit(1);
}
const at =
  values.at === undefined ? '' : `?at=${encodeURIComponent(parseTickTime(values.at)?.toISOString() ?? '')}`;
const response = await fetch(`${base}${TICK_PATH}${at}`, { method: 'POST' });
const result = (await response.json()) as {
  now?: string;
  report?: Record<string, unknown>;
  /** What the send queue still holds once the tick's sends settled (paced, or held by quiet hours). */
  sending?: { pending: number; nextAt?: string };
  error?: string;
};
if (!response.ok || !result.report) {
  console.error(`the tick failed: ${result.error ?? response.status}`);
  process.exit(1);
}
function toShanghai(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}
const shanghai = toShanghai(result.now ?? '');
console.log(`tick at ${shanghai} Asia/Shanghai: ${JSON.stringify(result.report)}`);
// The tick answered once the sends it started landed (or stopped moving): show what went, and what waits.
const sent = await outbox(seen);
const pending = result.sending?.pending ?? 0;
if (pending > 0) {
  const next = result.sending?.nextAt
    ? ` the next lands at ${toShanghai(result.sending.nextAt)} Asia/Shanghai`
    : '';
  console.log(`  ${pending} message(s) still pacing or held by quiet hours;${next || ' they go shortly'}`);
}
if (sent.length === 0) console.log('  (nothing in the outbox yet: held by quiet hours, or nothing was due)');
for (const m of sent)
  console.log(`  [outbox → ${m.channel === 'sms' ? '' : `${m.channel} `}${m.to}] ${m.body}`);
