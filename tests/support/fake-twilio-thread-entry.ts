// The fake Twilio server in a worker thread (see startFakeTwilioOffThread): its own event loop, as a
// provider on another machine, driven by messages from the thread that started it.
import { parentPort, workerData } from 'node:worker_threads';
import { type FakeResponse, startFakeTwilio } from '#tests/support/fake-twilio-server.ts';

/** What the starting thread asks of the fake. */
export type FakeTwilioCommand =
  | { id: number; op: 'reset'; latencyMs: number }
  | { id: number; op: 'failNext'; n: number; response: FakeResponse }
  | { id: number; op: 'requests' }
  | { id: number; op: 'close' };

if (!parentPort) throw new Error('fake-twilio-thread-entry runs in a worker thread');
const port = parentPort;
const fake = await startFakeTwilio(workerData as { accountSid: string; authToken: string });
port.on('message', async (command: FakeTwilioCommand) => {
  switch (command.op) {
    case 'reset':
      fake.reset();
      fake.latencyMs = command.latencyMs;
      return port.postMessage({ id: command.id });
    case 'failNext':
      fake.failNext(command.n, command.response);
      return port.postMessage({ id: command.id });
    case 'requests':
      return port.postMessage({ id: command.id, requests: fake.requests });
    case 'close':
      await fake.close();
      port.postMessage({ id: command.id });
      return port.close();
  }
});
port.postMessage({ baseUrl: fake.baseUrl });
