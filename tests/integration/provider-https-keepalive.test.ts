import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderHttps } from '#lib/channels/provider-https.ts';
import { HttpWechatApi } from '#lib/channels/wechat/wechat-api.ts';

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
  // One character a byte, so that Content-Length counts what arrived.
  socket.setEncoding('latin1');
  socket.on('data', (chunk) => {
    buffered += chunk;
    for (;;) {
      const end = buffered.indexOf('\\r\\n\\r\\n');
      if (end < 0) return;
      const length = Number(/content-length: *(\\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.slice(end + 4 + length);
      socket.write('HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: 13\\r\\n\\r\\n{"errcode":0}');
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

const ANSWERED = { status: 200, text: '{"errcode":0}' };

const post = (https: ProviderHttps) =>
  https.request({ method: 'POST', path: '/send', headers: { 'content-type': 'text/plain' }, body: 'hello' });

describe('a kept-alive provider connection after a pause', () => {
  it('is not reused once idle longer than allowed: the request after the pause connects anew and is answered', async () => {
    const https = new ProviderHttps(`127.0.0.1:${quickPort}`, 'http', 2_000, 50);
    expect(await post(https)).toEqual(ANSWERED);
    freeze(1_000);
    expect(await post(https)).toEqual(ANSWERED);
  });

  it('is reused within a burst (one connection for requests close together)', async () => {
    const https = new ProviderHttps(`127.0.0.1:${patientPort}`, 'http', 2_000, 5_000);
    const sockets = new Set<unknown>();
    for (let i = 0; i < 3; i++) {
      expect(await post(https)).toEqual(ANSWERED);
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
    expect(await post(https)).toEqual(ANSWERED);
    freeze(1_000);
    await expect(post(https)).rejects.toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) });
  });

  it("is not a reset for WeChat's client either (Node's fetch: its pool sees the close before it writes)", async () => {
    const wechat = new HttpWechatApi({
      appId: 'wx0000000000000000',
      appSecret: 'test-app-secret',
      baseUrl: `http://127.0.0.1:${quickPort}`,
      timeoutMs: 2_000,
    });
    await wechat.sendCustomText('token', 'openid-1', '你好，下周见');
    freeze(1_000);
    await expect(wechat.sendCustomText('token', 'openid-1', '你好，下周见')).resolves.toBeUndefined();
  });
});
