// `npm run link-code -- contact-li-nainai`: what a coordinator will do in the console — issue a
// one-time code for a carer or parent to link their WeChat. Talks to `npm start` (local only).
import { parseArgs } from 'node:util';
import { loadConfig } from '#lib/config/core.ts';
import { LINK_CODE_PATH } from '#lib/local/link-code-route.ts';

const { positionals, values } = parseArgs({ options: { url: { type: 'string' } }, allowPositionals: true });
const contactId = positionals[0];
if (!contactId) {
  console.error('usage: npm run link-code -- <contactId>   (e.g. contact-li-nainai)');
  process.exit(2);
}
const config = loadConfig({ ...process.env, LIANXIN_ENV: 'local' });
const base = (values.url ?? config.PUBLIC_URL).replace(/\/+$/, '');
let response: Response;
try {
  response = await fetch(`${base}${LINK_CODE_PATH}?contact=${encodeURIComponent(contactId)}`, {
    method: 'POST',
  });
} catch {
  console.error(`Nothing answers at ${base}. Start lianxin first: npm start`);
  process.exit(1);
}
const answer = (await response.json()) as {
  error?: string;
  name?: string;
  printed?: string;
  expiresAt?: string;
};
if (!response.ok) {
  console.error(answer.error ?? `HTTP ${response.status}`);
  process.exit(1);
}
console.log(`连心绑定码 for ${answer.name}: ${answer.printed}  (valid until ${answer.expiresAt})`);
console.log(`The user follows the account and sends it: npm run chat -- --wechat oTEST123`);
