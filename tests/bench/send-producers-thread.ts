// The send bench's producers run off the calling thread, in a worker thread with its own event loop and
// DynamoDB client: in AWS they are other Lambda functions (the tick, the API), and producers sharing the
// worker's event loop take its CPU time. Their queue sends come back by message to the calling thread's
// in-process queue, which makes them and answers, as SQS would.
import { Worker } from 'node:worker_threads';
import type { SendQueue } from '#lib/ports/send-queue.ts';
import type {
  ProducersCommand,
  ProducersData,
  ProducersMessage,
} from '#tests/bench/send-producers-thread-entry.ts';

export interface EnqueuedAll {
  /** The producers' DynamoDB requests over the run. */
  requests: number;
  /** The enqueues' conditional puts and the wall time they took (overlapping puts each counted whole). */
  puts: number;
  putMs: number;
}

export interface OffThreadProducers {
  /** Enqueues `n` messages, keys `bench#<run>#<i>`, with the producers' clock set to `now`. */
  enqueueAll(run: string, n: number, now: Date): Promise<EnqueuedAll>;
  close(): Promise<void>;
}

export async function startProducersOffThread(
  options: ProducersData & { queue: SendQueue },
): Promise<OffThreadProducers> {
  const { queue, ...data } = options;
  // TypeScript loaded in the worker through tsx's hooks, as startFakeTwilioOffThread does.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./send-producers-thread-entry.ts', import.meta.url).href;
  const worker = new Worker(
    `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(entry)}));`,
    { eval: true, workerData: data },
  );
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`producers' thread exited (${code}) before it started`)));
  });
  const pending = new Map<number, { resolve: (r: EnqueuedAll) => void; reject: (e: unknown) => void }>();
  let failed: unknown;
  const failAll = (error: unknown) => {
    failed = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  const post = (command: ProducersCommand) => worker.postMessage(command);
  worker.on('message', (m: ProducersMessage) => {
    if (m.op === 'ready') return;
    if (m.op === 'queueSend') {
      queue.send(m.bodies, m.delaySeconds).then(
        () => post({ op: 'queueSent', queueId: m.queueId }),
        (error: unknown) => post({ op: 'queueSent', queueId: m.queueId, error: String(error) }),
      );
      return;
    }
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error === undefined) p?.resolve({ requests: m.requests, puts: m.puts, putMs: m.putMs });
    else p?.reject(new Error(`the producers' enqueue failed: ${m.error}`));
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`producers' thread exited (${code})`)));
  let nextId = 0;
  return {
    enqueueAll: (run, n, now) => {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise<EnqueuedAll>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ op: 'enqueueAll', id, run, n, now: now.toISOString() });
      });
    },
    close: async () => {
      await worker.terminate();
    },
  };
}
