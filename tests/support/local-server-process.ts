// `npm start` (lib/local/start.ts) as a child process for end-to-end tests: started directly under node
// (no npm, no tsx CLI in between: signals reach it), ready once its banner is out; and a phone that
// texts it over real HTTP with signed Twilio requests.
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
import { JAVA_READY_TIMEOUT_MS } from '#tests/support/java-start.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BANNER = /running locally on http:\/\/localhost:(\d+)/;
const DYNAMO_LINE = /DynamoDB Local\s+http:\/\/127\.0\.0\.1:(\d+)/;

export interface RunningServer {
  child: ChildProcess;
  port: number;
  /** The port of the DynamoDB Local the server started itself, if it did. */
  dynamoPort: number | undefined;
  banner: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every server started and not yet exited (an afterAll kills what a failed test left). */
export const running = new Set<ChildProcess>();

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

/** Starts lib/local/start.ts directly under node (no npm, no tsx CLI in between: signals reach it). */
export async function startServer(options: {
  port: number;
  tableName: string;
  dynamodbEndpoint?: string;
  args?: string[];
  /** Extra environment (e.g. a fixed clock for the console tests). */
  env?: NodeJS.ProcessEnv;
  /** How long the banner may take: a bound, not a measure (default: as long as Java may take to start). */
  readyWithinMs?: number;
}): Promise<RunningServer> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(options.port),
    TABLE_NAME: options.tableName,
    ...options.env,
  };
  delete env.DYNAMODB_ENDPOINT;
  delete env.LIANXIN_ENV;
  if (options.dynamodbEndpoint) env.DYNAMODB_ENDPOINT = options.dynamodbEndpoint;
  const child = spawn(process.execPath, ['--import', 'tsx', 'lib/local/start.ts', ...(options.args ?? [])], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });

  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8000);
  });
  const banner = await new Promise<string>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    const fail = (why: string) => {
      done();
      child.kill('SIGKILL');
      reject(new Error(`${why}\n--- stdout ---\n${stdout.trim()}\n--- stderr ---\n${stderr.trim()}`));
    };
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      // Resolve once the whole banner is out (it ends with the Ctrl-C line).
      if (BANNER.test(stdout) && stdout.includes('Ctrl-C stops everything.')) {
        done();
        resolve(stdout);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`the local server exited (${signal ?? `code ${code}`}) before its banner`);
    const within = options.readyWithinMs ?? JAVA_READY_TIMEOUT_MS;
    const timer = setTimeout(
      () => fail(`the local server printed no banner within ${within / 1000} s`),
      within,
    );
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
  // Keep draining stdout (the JSON logs) so a full pipe never blocks the server.
  child.stdout?.resume();

  const port = Number(BANNER.exec(banner)?.[1]);
  const dynamoPort = options.dynamodbEndpoint ? undefined : Number(DYNAMO_LINE.exec(banner)?.[1]);
  return { child, port, dynamoPort, banner, exited };
}

/** SIGTERM, then the exit (the server must go within a few seconds). */
export async function stopServer(
  server: RunningServer,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  server.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000));
  const result = await Promise.race([server.exited, timeout]);
  if (result === 'timeout') {
    server.child.kill('SIGKILL');
    throw new Error('the local server did not exit within 10 s of SIGTERM');
  }
  return result;
}

export type LocalServerProcess = RunningServer;

/** The local server on this DynamoDB Local and table, on a free port unless one is given. */
export async function startLocalServerProcess(options: {
  port?: number;
  tableName: string;
  dynamodbEndpoint: string;
}): Promise<LocalServerProcess> {
  return startServer({ ...options, port: options.port ?? (await freePort()) });
}

export const stopLocalServerProcess = stopServer;

export interface OutboxMessage {
  seq: number;
  to: string;
  body: string;
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
