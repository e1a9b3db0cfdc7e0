import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderHttps } from '#lib/channels/provider-https.ts';

// A provider that closes a kept-alive connection after `closeAfterMs` idle and says nothing about it (no
// Keep-Alive header), in a worker thread so that it keeps running while this thread is blocked, as a
// server does while a Lambda container is frozen between invocations.
const SERVER = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer((socket) => {
  let idle;
  const arm = () => { clearTimeout(idle); idle = setTimeout(() => socket.end(), workerData.closeAfterMs); };
  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk;
    for (;;) {
      const end = buffered.indexOf('\\r\\n\\r\\n');
      if (end < 0) return;
      const length = Number(/content-length: *(\\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.slice(end + 4 + length);
      socket.write('HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: 2\\r\\n\\r\\nok');
      arm();
    }
  });
  socket.on('error', () => {});
  arm();
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

const workers: Worker[] = [];
const startServer = async (closeAfterMs: number): Promise<number> => {
  const worker = new Worker(SERVER, { eval: true, workerData: { closeAfterMs } });
  workers.push(worker);
  return new Promise<number>((resolve) => worker.once('message', resolve));
};
/** Closes idle connections after 100 ms; the tests pause for 1 s, leaving it time on a busy machine. */
let quickPort: number;
/** Keeps idle connections for 10 s. */
let patientPort: number;

beforeAll(async () => {
  [quickPort, patientPort] = await Promise.all([startServer(100), startServer(10_000)]);
});
afterAll(() => Promise.all(workers.map((w) => w.terminate())));

/** Blocks this thread (timers and socket events wait), as a container frozen between invocations. */
const freeze = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const post = (https: ProviderHttps) =>
  https.request({ method: 'POST', path: '/send', headers: { 'content-type': 'text/plain' }, body: 'hello' });

describe('a kept-alive provider connection after a pause', () => {
  it('is not reused once idle longer than allowed: the request after the pause connects anew and is answered', async () => {
    const https = new ProviderHttps(`127.0.0.1:${quickPort}`, 'http', 2_000, 50);
    expect(await post(https)).toEqual({ status: 200, text: 'ok' });
    freeze(1_000);
    expect(await post(https)).toEqual({ status: 200, text: 'ok' });
  });

  it('is reused within a burst (one connection for requests close together)', async () => {
    const https = new ProviderHttps(`127.0.0.1:${patientPort}`, 'http', 2_000, 5_000);
    const sockets = new Set<unknown>();
    for (let i = 0; i < 3; i++) {
      expect(await post(https)).toEqual({ status: 200, text: 'ok' });
      sockets.add(
        Object.values(
          (https as unknown as { agent: { freeSockets: Record<string, unknown[]> } }).agent.freeSockets,
        ).flat()[0],
      );
    }
    expect(sockets.size).toBe(1);
  });

  it('would be reset if reused after the server closed it (what the idle limit prevents)', async () => {
    const https = new ProviderHttps(`127.0.0.1:${quickPort}`, 'http', 2_000, 60_000);
    expect(await post(https)).toEqual({ status: 200, text: 'ok' });
    freeze(1_000);
    await expect(post(https)).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) });
  });
});
