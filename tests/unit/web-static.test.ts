// The local server's console files: assets as built, index.html for the app's own paths, nothing
// outside web/dist, and the security headers CloudFront is to send as well.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webFile } from '#lib/local/web-static.ts';

let root: string;
let dist: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'web-static-'));
  dist = join(root, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(join(root, 'secret.txt'), 'not for the web');
});

afterAll(() => rm(root, { recursive: true, force: true }));

describe('webFile', () => {
  it('serves a built asset with a long cache and the security headers', async () => {
    const file = await webFile(dist, '/assets/index-abc.js');
    expect(file?.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(file?.headers['cache-control']).toContain('immutable');
    expect(file?.headers['content-security-policy']).toContain("default-src 'self'");
    expect(file?.body.toString()).toBe('console.log(1)');
  });

  it("answers index.html, revalidated, for the app's own paths", async () => {
    for (const path of ['/', '/alerts', '/children/child-xiaoming']) {
      const file = await webFile(dist, path);
      expect(file?.body.toString()).toContain('<title>app</title>');
      expect(file?.headers['cache-control']).toBe('no-cache');
    }
  });

  it('is undefined for a missing asset and for anything outside the build', async () => {
    expect(await webFile(dist, '/assets/missing.js')).toBeUndefined();
    expect(await webFile(dist, '/../secret.txt')).toBeUndefined();
    expect(await webFile(dist, '/%2e%2e/secret.txt')).toBeUndefined();
  });

  it('is undefined when nothing is built', async () => {
    expect(await webFile(join(root, 'nowhere'), '/')).toBeUndefined();
  });
});
