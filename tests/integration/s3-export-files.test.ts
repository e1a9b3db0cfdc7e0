// The exports bucket adapter against a small S3 stand-in over real HTTP: the object is written with
// the CSV's type and a download name, under exports/ with a part nobody can guess, and the link is a
// presigned GET of that same object that expires when the answer says.
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_PREFIX, S3ExportFiles } from '#lib/store/exports/s3-export-files.ts';

const puts: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'PUT')
      puts.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(200, { etag: '"x"' });
    res.end();
  });
});
let endpoint: string;

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

describe('export files in S3', () => {
  it('writes the CSV under exports/ and returns a presigned GET link of it, valid for the configured time', async () => {
    const client = new S3Client({
      region: 'cn-north-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' },
    });
    const files = new S3ExportFiles({
      bucket: 'lianxin-exports',
      region: 'cn-north-1',
      linkSeconds: 600,
      client,
    });
    const body = '\uFEFF周,中心\r\n2026-W49,石门村\r\n';
    const now = new Date('2026-12-05T02:00:00Z');
    const link = await files.put('checkins-centre-shimen-2026-W49-2026-W49.csv', body, now);

    expect(puts).toHaveLength(1);
    const put = puts[0];
    expect(put?.body).toBe(body);
    expect(put?.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(put?.headers['content-disposition']).toBe(
      'attachment; filename="checkins-centre-shimen-2026-W49-2026-W49.csv"',
    );
    const path = decodeURIComponent(new URL(put?.url ?? '', endpoint).pathname);
    expect(path).toMatch(
      new RegExp(
        `^/lianxin-exports/${EXPORT_PREFIX}2026-12-05/[0-9a-f-]{36}/checkins-centre-shimen-2026-W49-2026-W49\\.csv$`,
      ),
    );

    expect(link.expiresAt).toBe('2026-12-05T02:10:00.000Z');
    const url = new URL(link.url);
    expect(decodeURIComponent(url.pathname)).toBe(path);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // Two exports of the same centre and weeks are two objects: the key is not guessable from the name.
    await files.put('checkins-centre-shimen-2026-W49-2026-W49.csv', body, now);
    expect(puts[1]?.url).not.toBe(put?.url);
  });
});
