// The fake Twilio server run off the calling thread, in a worker thread with its own event loop: in AWS
// the provider is another machine, and a fake sharing the sender's event loop takes CPU time from it and
// delays its answers behind the sender's work. The bench uses it; tests that script answers per
// recipient or fire status callbacks use startFakeTwilio in-process.
import type { FakeRequest, FakeResponse } from '#tests/support/fake-twilio-server.ts';
import type { FakeTwilioCommand } from '#tests/support/fake-twilio-thread-entry.ts';
import { startTypeScriptThread } from '#tests/support/typescript-thread.ts';

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
  const thread = await startTypeScriptThread<{ baseUrl: string }>({
    entry: new URL('./fake-twilio-thread-entry.ts', import.meta.url),
    workerData: options,
    what: 'fake Twilio thread',
  });
  const ask = <T>(command: Command) => thread.ask<T>(command);
  return {
    baseUrl: thread.ready.baseUrl,
    reset: async (latencyMs = 0) => {
      await ask({ op: 'reset', latencyMs });
    },
    failNext: async (n, response) => {
      await ask({ op: 'failNext', n, response });
    },
    requests: async () => (await ask<{ requests: FakeRequest[] }>({ op: 'requests' })).requests,
    close: async () => {
      await ask({ op: 'close' });
      await thread.terminate();
    },
  };
}
