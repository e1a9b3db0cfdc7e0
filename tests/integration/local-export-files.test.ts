// `npm start`'s export files over the local server's real HTTP: an export larger than the inline
// limit (lowered here) answers a link instead of a 413; the link downloads the exact CSV with its BOM;
// an unknown token is a 404 and an expired link a 410.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { apiSettings } from '#lib/config/api.ts';
import { loadConfig } from '#lib/config/core.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { LOCAL_EXPORT_PATH, LocalExportFiles } from '#lib/local/local-export-files.ts';
import { startLocalServer } from '#lib/local/local-server.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const WEEK = '2026-W49';
const LINK_SECONDS = 600;

let table: TestTable;
let server: Server;
let origin: string;
let dir: string;
let token: string;
let clock: ManualClock;

beforeAll(async () => {
  table = await createTestTable();
  clock = new ManualClock('2026-12-05T02:00:00Z');
  dir = await mkdtemp(join(tmpdir(), 'lianxin-export-test-'));
  const config = loadConfig({
    LIANXIN_ENV: 'local',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  const settings = apiSettings(config, {});
  await seedDemoRoster(new RosterRepository({ client: table.client, tableName: table.tableName }));
  let port = 0;
  const files = new LocalExportFiles({
    dir,
    baseUrl: () => `http://127.0.0.1:${port}`,
    linkSeconds: LINK_SECONDS,
    clock,
  });
  const deps = createCoordinatorApiDependencies(config, createLogger('coordinator-api'), {
    client: table.client,
    clock,
    queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
  });
  const handler = createCoordinatorApiHandler(
    createCoordinatorApiOptions(settings, { ...deps, exportFiles: files, exportInlineBytes: 200 }),
  );
  const started = await startLocalServer({
    port: 0,
    outbox: localOutbox,
    exportFiles: files,
    routes: [{ method: 'GET', path: '/api/', prefix: true, functionName: 'coordinator-api', handler }],
  });
  server = started.server;
  port = started.port;
  origin = `http://127.0.0.1:${port}`;
  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  token = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-a', centres: ['centre-shimen'] });
});

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  await rm(dir, { recursive: true, force: true });
});

const exportUrl = (extra = '') =>
  `${origin}/api/checkins/export.csv?centre=centre-shimen&from=2026-W40&to=${WEEK}${extra}`;

async function exportLink(extra = ''): Promise<{ url: string; expiresAt: string; bytes: number }> {
  const res = await fetch(exportUrl(extra), { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as { url: string; expiresAt: string; bytes: number };
}

describe('local export files', () => {
  it('answers a large export with a link on the local server that downloads the exact CSV with its BOM', async () => {
    const link = await exportLink();
    expect(link.url.startsWith(`${origin}${LOCAL_EXPORT_PATH}`)).toBe(true);
    expect(link.expiresAt).toBe(new Date(clock.now().getTime() + LINK_SECONDS * 1000).toISOString());

    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="checkins-centre-shimen-2026-W40-${WEEK}.csv"`,
    );
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(link.bytes);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString('utf8');
    expect(csv.startsWith('\uFEFF周,')).toBe(true);
    expect(csv).toContain('child-xiaoming');
    // One row per child per week, ten weeks: the header and at least ten rows.
    expect(csv.trim().split('\r\n').length).toBeGreaterThan(10);
  });

  it('gives each export its own unguessable link', async () => {
    const [a, b] = [await exportLink(), await exportLink()];
    expect(a.url).not.toBe(b.url);
    const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
    expect(tokenOf(a.url)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(tokenOf(a.url)).not.toContain('shimen');
  });

  it('refuses an unknown token, a path outside the folder, and a link once it expired', async () => {
    expect((await fetch(`${origin}${LOCAL_EXPORT_PATH}${'A'.repeat(32)}`)).status).toBe(404);
    expect((await fetch(`${origin}${LOCAL_EXPORT_PATH}..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);

    const link = await exportLink('&history=1');
    const name = link.url.slice(link.url.lastIndexOf('/') + 1);
    clock.advance(LINK_SECONDS * 1000);
    const expired = await fetch(link.url);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toMatch(/expired/);
    // Its file is gone, and asking again finds nothing.
    expect((await readdir(dir)).some((f) => f.startsWith(name))).toBe(false);
    expect((await fetch(link.url)).status).toBe(404);
  });
});
