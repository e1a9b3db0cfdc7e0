// A worker thread running one of the project's TypeScript modules, asked by message: the fake Twilio
// off the calling thread, the send bench's producers. Each ask carries an id; the thread's answer
// carries the same id. Anything else the thread sends goes to `onOwnMessage`.
import { Worker } from 'node:worker_threads';

export interface TypeScriptThread<Ready> {
  /** The thread's first message: it is ready. */
  readonly ready: Ready;
  /** Posts `command` with a fresh `id`; resolves with the thread's message of that `id`. */
  ask<T>(command: object): Promise<T>;
  /** Posts a message that is not an ask (an answer to something the thread sent on its own). */
  post(message: object): void;
  terminate(): Promise<void>;
}

export async function startTypeScriptThread<Ready>(options: {
  entry: URL;
  workerData: unknown;
  /** Named in errors: "fake Twilio thread", "producers' thread". */
  what: string;
  onOwnMessage?: (message: unknown) => void;
}): Promise<TypeScriptThread<Ready>> {
  // The worker loads TypeScript through tsx's hooks, registered in the thread before the entry is
  // imported (Node 20 applies no `--import` loader to a worker's entry), under tsx and vitest alike.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const worker = new Worker(
    `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(options.entry.href)}));`,
    { eval: true, workerData: options.workerData },
  );
  const ready = await new Promise<Ready>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${options.what} exited (${code}) before it started`)));
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: unknown) => void }>();
  let failed: unknown;
  const failAll = (error: unknown) => {
    failed = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('message', (m: { id?: unknown }) => {
    const p = typeof m.id === 'number' ? pending.get(m.id) : undefined;
    if (!p) return options.onOwnMessage?.(m);
    pending.delete(m.id as number);
    p.resolve(m);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`${options.what} exited (${code})`)));
  let nextId = 0;
  return {
    ready,
    ask: <T>(command: object) => {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        worker.postMessage({ ...command, id });
      });
    },
    post: (message) => worker.postMessage(message),
    terminate: async () => {
      await worker.terminate();
    },
  };
}
