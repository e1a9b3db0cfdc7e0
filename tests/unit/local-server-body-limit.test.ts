import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PUSH_ITEMS } from '#lib/channels/aliyun-sms/aliyun-sms-callbacks.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { MAX_BODY_BYTES, PROVIDER_PUSH_MAX_BYTES, startLocalServer } from '#lib/local/local-server.ts';

// The local server as API Gateway on one machine: a body too large is answered 413, readable by the
// client (not a reset connection), and a provider's large push still reaches its handler.
let server: Server;
let base: string;
const received: number[] = [];

beforeAll(async () => {
  const echo = async (event: { body?: string }) => {
    received.push(Buffer.byteLength(event.body ?? ''));
    return { statusCode: 200, body: 'taken' };
  };
  const started = await startLocalServer({
    port: 0,
    outbox: localOutbox,
    routes: [
      { method: 'POST', path: '/webhooks/twilio/sms', functionName: 'sms', handler: echo },
      {
        method: 'POST',
        path: '/webhooks/aliyun-sms/',
        prefix: true,
        functionName: 'aliyun',
        handler: echo,
        maxBodyBytes: PROVIDER_PUSH_MAX_BYTES,
      },
    ],
  });
  server = started.server;
  base = `http://127.0.0.1:${started.port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** An Alibaba Cloud uplink push of `count` replies, each with a long Chinese reply (the worst case). */
function aliyunPush(count: number, content: string): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      phone_number: `139${String(10_000_000 + i).slice(0, 8)}`,
      content,
      send_time: '2026-12-05 10:00:00',
      dest_code: '1069000001',
      sequence_id: 1_000_000_000 + i,
    })),
  );
}

describe('the local server body limit', () => {
  it('passes a 1,000-message Alibaba Cloud push, larger than the 64 KB of other routes, to its handler', async () => {
    const push = aliyunPush(1000, '张伟最近很乖，谢谢老师，我们都好');
    expect(Buffer.byteLength(push)).toBeGreaterThan(MAX_BODY_BYTES);
    const res = await fetch(`${base}/webhooks/aliyun-sms/up/secret`, { method: 'POST', body: push });
    expect(res.status).toBe(200);
    expect(received.at(-1)).toBe(Buffer.byteLength(push));
  });

  it('holds the largest push the handler accepts, replies of 70 characters', () => {
    expect(Buffer.byteLength(aliyunPush(MAX_PUSH_ITEMS, '好'.repeat(70)))).toBeLessThan(
      PROVIDER_PUSH_MAX_BYTES,
    );
  });

  it('answers a larger body 413 with the limit, and the client reads it', async () => {
    const before = received.length;
    const tooLarge = 'x'.repeat(PROVIDER_PUSH_MAX_BYTES + 1);
    const res = await fetch(`${base}/webhooks/aliyun-sms/up/secret`, { method: 'POST', body: tooLarge });
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/too large \(at most 4194304 bytes\)/);
    const sms = await fetch(`${base}/webhooks/twilio/sms`, {
      method: 'POST',
      body: 'x'.repeat(MAX_BODY_BYTES + 1),
    });
    expect(sms.status).toBe(413);
    expect(received.length).toBe(before);
    // The server is still there.
    expect((await fetch(`${base}/webhooks/twilio/sms`, { method: 'POST', body: 'Body=1' })).status).toBe(200);
  });
});
