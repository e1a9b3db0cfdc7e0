// End to end, as a new user would try WeChat: `npm start` (lib/local/start.ts), the Centre issues a
// link code (`npm run link-code`), and `npm run chat -- --wechat <openid>` follows the account, links
// with the code and does part of a check-in, each line a signed, encrypted WeChat POST over HTTP.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BANNER = /running locally on http:\/\/localhost:(\d+)/;
let server: ChildProcess | undefined;
let port = 0;

const tsx = (script: string, args: string[], input?: string) =>
  new Promise<string>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      { cwd: root, env: { ...process.env, PORT: String(port), NODE_NO_WARNINGS: '1' }, timeout: 120_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
    child.stdin?.end(input ?? '');
  });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const free = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (free ? resolve(free) : reject(new Error('no free port'))));
    });
  });
}

beforeAll(async () => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TABLE_NAME: `e2e-wechat-${randomUUID()}`,
    DYNAMODB_ENDPOINT: inject('dynamodbEndpoint'),
  };
  delete env.LIANXIN_ENV;
  // PORT=0 is refused (Twilio signs exact URLs): ask the OS for a free one first.
  port = await freePort();
  env.PORT = String(port);
  server = spawn(process.execPath, ['--import', 'tsx', 'lib/local/start.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    // A bound, not a measure: generous, as the server starts slowly on a busy machine.
    const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${out}`)), 90_000);
    server?.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (BANNER.test(out) && out.includes('Ctrl-C stops everything.')) {
        clearTimeout(timer);
        resolve();
      }
    });
    server?.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${out}`)));
  });
  server.stdout?.resume();
  server.stderr?.resume();
}, 90_000);

afterAll(async () => {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server?.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
});

it('links a WeChat user with the Centre’s code and runs the check-in, from the command line', async () => {
  const issued = await tsx('lib/local/link-code.ts', ['contact-li-nainai']);
  const code = /: (\d{4} \d{4})/.exec(issued)?.[1];
  expect(code).toBeDefined();
  const openId = `oE2E${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  const out = await tsx(
    'lib/local/chat.ts',
    ['--wechat', openId],
    ['你好', code, '签到', '3', '4', ''].join('\n'),
  );
  const replies = out.split('\n').filter((l) => l.startsWith('← '));
  expect(replies).toEqual([
    expect.stringMatching(/^← 【连心】欢迎关注连心！/),
    expect.stringMatching(/^← 【连心】请回复儿童之家老师给您的8位数字绑定码/),
    '← 【连心】绑定成功！李奶奶您好。回复“签到”做本周签到，“帮助”查看说明。',
    expect.stringMatching(/^← 【连心】本周签到：先说说小明。/),
    expect.stringMatching(/^← 【连心】好的。小明这周心情怎么样？/),
    expect.stringMatching(/^← 【连心】好的。小明这周上学怎么样？/),
  ]);
  // 很难过 raised an alert: the coordinator's copy went through the send queue to the outbox.
  expect(out).toMatch(/\[outbox → \+8613700000001\] 【连心】关注提醒A\d+：李奶奶签到说小明这周很难过/);
}, 240_000);
