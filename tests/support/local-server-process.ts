// `npm start` (lib/local/start.ts) as a child process for end-to-end tests: started directly under node
// (no npm, no tsx CLI in between: signals reach it), ready once its banner is out.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

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
  /** How long the banner may take (default 30 s; more when it starts its own DynamoDB Local). */
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
    const within = options.readyWithinMs ?? 30_000;
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
