// `npm start` (lib/local/start.ts) as a child process for black-box tests over its real HTTP: start it
// on a free port against the run's DynamoDB Local, text it as a phone (signed Twilio requests), stop it.
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

export interface LocalServer {
  child: ChildProcess;
  port: number;
  banner: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
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

/** Starts the local server on the given DynamoDB Local and table; resolves once its banner is out. */
export async function startLocalServer(options: {
  tableName: string;
  dynamodbEndpoint: string;
}): Promise<LocalServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
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
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(stdout);
      }
    };
    const fail = (why: string) => {
      child.stdout?.off('data', onData);
      child.kill('SIGKILL');
      reject(new Error(`${why}\n--- stdout ---\n${stdout.trim()}\n--- stderr ---\n${stderr.trim()}`));
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) =>
      fail(`the local server exited (${signal ?? code}) before its banner`),
    );
  });
  child.stdout?.resume(); // keep draining the JSON logs
  return { child, port, banner, exited };
}

/** SIGTERM, then its exit (within 10 s, else SIGKILL and an error). */
export async function stopLocalServer(server: LocalServer) {
  server.child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000));
  const result = await Promise.race([server.exited, timeout]);
  if (result === 'timeout') {
    server.child.kill('SIGKILL');
    throw new Error('the local server did not exit within 10 s of SIGTERM');
  }
  return result;
}

/** The coordinator's bearer token the banner prints for this centre. */
export function bannerToken(banner: string, centreId: string): string {
  const token = new RegExp(`\\(${centreId}, \\d+ days\\):\\n\\s+(\\S+)`).exec(banner)?.[1];
  if (!token) throw new Error(`no token for ${centreId} in the banner`);
  return token;
}

/** A phone texting the server: each text is posted exactly as Twilio posts it; the TwiML replies. */
export function phoneOf(port: number, from: string) {
  const config = loadConfig({ LIANXIN_ENV: 'local', PORT: String(port) });
  const webhook = `http://localhost:${port}/webhooks/twilio/sms`;
  return async (body: string): Promise<string[]> => {
    const params = inboundSmsParams({
      from,
      to: config.TWILIO_PHONE_NUMBER,
      body,
      accountSid: config.TWILIO_ACCOUNT_SID,
      messageSid: newMessageSid(),
    });
    const request = signedInboundSmsRequest({ url: webhook, authToken: twilioAuthToken(config), params });
    const response = await fetch(webhook, { method: 'POST', ...request });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`${JSON.stringify(body)} got HTTP ${response.status}: ${text}`);
    return messagesFromTwiml(text);
  };
}
