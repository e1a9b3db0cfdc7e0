// The send bench's producers run off the calling thread, in a worker thread with its own event loop and
// DynamoDB client: in AWS they are other Lambda functions (the tick, the API), and producers sharing the
// worker's event loop take its CPU time. Their queue sends come back by message to the calling thread's
// in-process queue, which makes them and answers, as SQS would.
import type { SendQueue } from '#lib/ports/send-queue.ts';
import type {
  ProducersCommand,
  ProducersData,
  ProducersMessage,
} from '#tests/bench/send-producers-thread-entry.ts';
import { startTypeScriptThread } from '#tests/support/typescript-thread.ts';

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
  const post = (command: ProducersCommand) => thread.post(command);
  const thread = await startTypeScriptThread<ProducersMessage>({
    entry: new URL('./send-producers-thread-entry.ts', import.meta.url),
    workerData: data,
    what: "producers' thread",
    // The producers' queue sends: made on the in-process queue here, each answered.
    onOwnMessage: (message) => {
      const m = message as ProducersMessage;
      if (m.op !== 'queueSend') return;
      queue.send(m.bodies, m.delaySeconds).then(
        () => post({ op: 'queueSent', queueId: m.queueId }),
        (error: unknown) => post({ op: 'queueSent', queueId: m.queueId, error: String(error) }),
      );
    },
  });
  return {
    enqueueAll: async (run, n, now) => {
      const done = await thread.ask<Extract<ProducersMessage, { op: 'enqueued' }>>({
        op: 'enqueueAll',
        run,
        n,
        now: now.toISOString(),
      });
      if (done.error !== undefined) throw new Error(`the producers' enqueue failed: ${done.error}`);
      return { requests: done.requests, puts: done.puts, putMs: done.putMs };
    },
    close: () => thread.terminate(),
  };
}
