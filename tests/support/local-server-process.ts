// `npm start` (lib/local/start.ts) as a child process on the shared DynamoDB Local, and a phone that
// texts it over real HTTP with signed Twilio requests: for end-to-end scenarios.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadConfig, twilioAuthToken } from '#lib/config/core.ts';
import {
  inboundSmsParams,
  messagesFromTwiml,
  newMessageSid,
  signedInboundSmsRequest,
} from '#lib/local/twilio-inbound-request.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BANNER = /running locally on http:\/\/localhost:(\d+)/;

export interface LocalServerProcess {
  child: ChildProcess;
  port: number;
  banner: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface OutboxMessage {
  seq: number;
  to: string;
  body: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Starts the local server on this DynamoDB Local and table; resolves once its banner is out. */
export async function startLocalServerProcess(options: {
  /** A free one when left out. */
  port?: number;
  tableName: string;
  dynamodbEndpoint: string;
}): Promise<LocalServerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(options.port ?? (await freePort())),
    TABLE_NAME: options.tableName,
    DYNAMODB_ENDPOINT: options.dynamodbEndpoint,
  };
  delete env.LIANXIN_ENV;
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/start.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8000);
  });
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail('the local server printed no banner within 30 s'), 30_000);
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (BANNER.test(stdout) && stdout.includes('Ctrl-C stops everything.')) {
        done();
        resolve(stdout);
      }
    };
    const onExit = () => fail('the local server exited before its banner');
    function done() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    }
    function fail(why: string) {
      done();
      child.kill('SIGKILL');
      reject(new Error(`${why}\n--- stdout ---\n${stdout.trim()}\n--- stderr ---\n${stderr.trim()}`));
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  // Keep draining stdout (the JSON logs) so a full pipe never blocks the server.
  child.stdout?.resume();
  return { child, port: Number(BANNER.exec(banner)?.[1]), banner, exited };
}

/** SIGTERM, then its exit (SIGKILL after 10 s). */
export async function stopLocalServerProcess(server: LocalServerProcess) {
  server.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000));
  const result = await Promise.race([server.exited, timeout]);
  if (result === 'timeout') server.child.kill('SIGKILL');
  return result;
}

/** The coordinator's bearer token the banner prints for this centre. */
export function bannerToken(banner: string, centreId: string): string {
  const token = new RegExp(`\\(${centreId}, \\d+ days\\):\\n\\s+(\\S+)`).exec(banner)?.[1];
  if (!token) throw new Error(`no token for ${centreId} in the banner`);
  return token;
}

/** A phone texting the server: each text is posted exactly as Twilio posts it, signed. */
export function phone(port: number, from: string) {
  const config = loadConfig({ LIANXIN_ENV: 'local', PORT: String(port) });
  const webhook = `http://localhost:${port}/webhooks/twilio/sms`;
  return async (body: string, messageSid: string = newMessageSid()): Promise<string[]> => {
    const params = inboundSmsParams({
      from,
      to: config.TWILIO_PHONE_NUMBER,
      body,
      accountSid: config.TWILIO_ACCOUNT_SID,
      messageSid,
    });
    const request = signedInboundSmsRequest({ url: webhook, authToken: twilioAuthToken(config), params });
    const response = await fetch(webhook, { method: 'POST', ...request });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`${JSON.stringify(body)} got HTTP ${response.status}: ${text}`);
    return messagesFromTwiml(text);
  };
}

export async function outbox(port: number, since = 0): Promise<OutboxMessage[]> {
  const response = await fetch(`http://localhost:${port}/dev/outbox?since=${since}`);
  if (response.status !== 200) throw new Error(`GET /dev/outbox: HTTP ${response.status}`);
  return ((await response.json()) as { messages: OutboxMessage[] }).messages;
}

/**
 * The outbox once `found` holds for it: the local send worker drains its queue every 250 ms, so a
 * message enqueued by a request lands a moment after the answer. Fails after `timeoutMs`.
 */
export async function outboxWhen(
  port: number,
  found: (messages: OutboxMessage[]) => boolean,
  timeoutMs = 10_000,
): Promise<OutboxMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await outbox(port);
    if (found(messages)) return messages;
    if (Date.now() > deadline) throw new Error(`the outbox never showed it: ${JSON.stringify(messages)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
