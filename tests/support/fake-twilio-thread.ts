// The fake Twilio server run off the calling thread, in a worker thread with its own event loop: in AWS
// the provider is another machine, and a fake sharing the sender's event loop takes CPU time from it and
// delays its answers behind the sender's work. The bench uses it; tests that script answers per
// recipient or fire status callbacks use startFakeTwilio in-process.
import { Worker } from 'node:worker_threads';
import type { FakeRequest, FakeResponse } from '#tests/support/fake-twilio-server.ts';
import type { FakeTwilioCommand } from '#tests/support/fake-twilio-thread-entry.ts';

export interface OffThreadFakeTwilio {
  readonly baseUrl: string;
  /** Forgets the script and the requests; every answer then waits `latencyMs`. */
  reset(latencyMs?: number): Promise<void>;
  /** The next `n` requests get `response`, whoever they are to. */
  failNext(n: number, response: FakeResponse): Promise<void>;
  /** A copy of every request so far, in arrival order (each checked against the account's credentials). */
  requests(): Promise<FakeRequest[]>;
  close(): Promise<void>;
}

type Command = FakeTwilioCommand extends infer C ? (C extends unknown ? Omit<C, 'id'> : never) : never;

export async function startFakeTwilioOffThread(options: {
  accountSid: string;
  authToken: string;
}): Promise<OffThreadFakeTwilio> {
  // The worker loads TypeScript through tsx's hooks, registered in the thread before the fake's module
  // is imported (Node 20 applies no `--import` loader to a worker's entry), under tsx and vitest alike.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./fake-twilio-thread-entry.ts', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(entry)}));`,
    { eval: true, workerData: options },
  );
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: unknown) => void }>();
  let failed: unknown;
  const failAll = (error: unknown) => {
    failed = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  const baseUrl = await new Promise<string>((resolve, reject) => {
    worker.once('message', (m: { baseUrl: string }) => resolve(m.baseUrl));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`fake Twilio thread exited (${code}) before it listened`)),
    );
  });
  worker.on('message', (m: { id: number }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    p?.resolve(m);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`fake Twilio thread exited (${code})`)));
  let nextId = 0;
  const ask = <T>(command: Command): Promise<T> => {
    if (failed) return Promise.reject(failed);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...command, id });
    });
  };
  return {
    baseUrl,
    reset: async (latencyMs = 0) => {
      await ask({ op: 'reset', latencyMs });
    },
    failNext: async (n, response) => {
      await ask({ op: 'failNext', n, response });
    },
    requests: async () => (await ask<{ requests: FakeRequest[] }>({ op: 'requests' })).requests,
    close: async () => {
      await ask({ op: 'close' });
      await worker.terminate();
    },
  };
}
