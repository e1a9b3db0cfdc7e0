// Centre admins invite coordinators and give them centres, through the real API handler on DynamoDB
// Local with the local user store (what `npm start` signs in from). Each test has its own table.
import { describe, expect, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { apiSettings, CENTRE_ADMIN_GROUP } from '#lib/config/api.ts';
import { loadConfig } from '#lib/config/core.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { LocalCoordinatorDirectory } from '#lib/store/accounts/local-coordinator-directory.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import { createTestTable } from '#tests/support/test-table.ts';

const A = 'centre-shimen';
const B = 'centre-hekou';
const C = 'centre-dashan';

async function world() {
  const table = await createTestTable();
  const clock = new ManualClock('2026-12-05T02:00:00Z');
  const config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  const settings = apiSettings(config, {});
  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  const deps = createCoordinatorApiDependencies(config, createLogger('coordinator-api'), {
    client: table.client,
    clock,
    queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
  });
  const handler = createCoordinatorApiHandler(createCoordinatorApiOptions(settings, deps));
  const accounts = new LocalCoordinatorDirectory({ client: table.client, tableName: table.tableName });
  const key = settings.auth.signingKey;
  const as = async (centres: string[], admin = true) =>
    issueLocalToken(key, {
      subject: `admin-${centres.join('-')}`,
      centres,
      groups: admin ? [CENTRE_ADMIN_GROUP] : [],
    });
  const call = async (token: string, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const result = await invokeApi(handler, path, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = result.body ?? '';
    const isJson = String(result.headers?.['content-type'] ?? '').startsWith('application/json');
    // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON they assert on
    return { status: result.statusCode ?? 0, text, json: (isJson ? JSON.parse(text) : undefined) as any };
  };
  return { accounts, as, call };
}

describe('inviting coordinators', () => {
  it('invites by a phone number as typed, once however often the form is sent', async () => {
    const { accounts, as, call } = await world();
    const admin = await as([A, B]);
    const invite = { name: '赵老师', phone: '１３８ ００１３ ８０００', centres: [A] };
    const first = await call(admin, 'POST', '/api/coordinators', invite);
    expect(first.status).toBe(201);
    expect(first.json.created).toBe(true);
    expect(first.json.coordinator).toMatchObject({
      name: '赵老师',
      phone: '+8613800138000',
      centres: [A],
      otherCentres: 0,
      admin: false,
      status: 'invited',
    });
    const again = await call(admin, 'POST', '/api/coordinators', { ...invite, phone: '+86 138 0013 8000' });
    expect(again.status).toBe(200);
    expect(again.json.created).toBe(false);
    expect(again.json.coordinator.id).toBe(first.json.coordinator.id);
    // One account in the store, which the local sign-in page lists.
    expect((await accounts.listAll()).map((a) => a.phone)).toEqual(['+8613800138000']);
    const listed = await call(admin, 'GET', '/api/coordinators');
    expect(listed.json.coordinators.map((c: { name: string }) => c.name)).toEqual(['赵老师']);
  });

  it('invites by e-mail, lower-cased, and finds the same person whatever the case', async () => {
    const { as, call } = await world();
    const admin = await as([A]);
    const first = await call(admin, 'POST', '/api/coordinators', {
      name: 'Zhou',
      email: 'Zhou.Laoshi@Example.org',
      centres: [A],
    });
    expect(first.json.coordinator.email).toBe('zhou.laoshi@example.org');
    const again = await call(admin, 'POST', '/api/coordinators', {
      name: 'Zhou',
      email: 'zhou.laoshi@example.org',
      centres: [A],
    });
    expect(again.json.created).toBe(false);
  });

  it('refuses a centre the admin does not hold, and writes nothing', async () => {
    const { accounts, as, call } = await world();
    const res = await call(await as([A]), 'POST', '/api/coordinators', {
      name: '钱老师',
      email: 'qian@example.org',
      centres: [A, C],
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain(C);
    expect(await accounts.listAll()).toEqual([]);
  });

  it('refuses an invitation with neither e-mail nor phone, a bad number, no centre', async () => {
    const { as, call } = await world();
    const admin = await as([A]);
    const none = await call(admin, 'POST', '/api/coordinators', { name: '孙老师', centres: [A] });
    expect(none.status).toBe(400);
    expect(none.json.fields[0].field).toBe('body.email');
    const bad = await call(admin, 'POST', '/api/coordinators', { name: '孙', phone: '12345', centres: [A] });
    expect(bad.status).toBe(400);
    expect(bad.json.fields[0].field).toBe('body.phone');
    const noCentre = await call(admin, 'POST', '/api/coordinators', {
      name: '孙',
      email: 's@example.org',
      centres: [],
    });
    expect(noCentre.status).toBe(400);
  });

  it('says a person of another centre already has an account, naming nothing of theirs', async () => {
    const { accounts, as, call } = await world();
    await accounts.put({
      id: 'coord-c',
      name: '李老师',
      email: 'li@example.org',
      centres: [C],
      admin: false,
      status: 'active',
    });
    const res = await call(await as([A]), 'POST', '/api/coordinators', {
      name: '李老师',
      email: 'li@example.org',
      centres: [A],
    });
    expect(res.status).toBe(409);
    expect(res.text).not.toContain(C);
    expect((await accounts.get('coord-c'))?.centres).toEqual([C]);
  });

  it('lets only centre admins list or invite', async () => {
    const { as, call } = await world();
    const plain = await as([A], false);
    expect((await call(plain, 'GET', '/api/coordinators')).status).toBe(403);
    const post = await call(plain, 'POST', '/api/coordinators', {
      name: '周',
      email: 'z@example.org',
      centres: [A],
    });
    expect(post.status).toBe(403);
  });
});

describe("a coordinator's centres", () => {
  it("shows and changes only the admin's own centres, keeping the others", async () => {
    const { accounts, as, call } = await world();
    await accounts.put({ id: 'coord-x', name: '吴老师', centres: [A, C], admin: false, status: 'active' });
    const admin = await as([A, B]);
    const listed = await call(admin, 'GET', '/api/coordinators');
    expect(listed.json.coordinators).toEqual([
      { id: 'coord-x', name: '吴老师', centres: [A], otherCentres: 1, admin: false, status: 'active' },
    ]);
    const moved = await call(admin, 'POST', '/api/coordinators/coord-x/centres', { centres: [B] });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({ centres: [B], otherCentres: 1 });
    expect((await accounts.get('coord-x'))?.centres.sort()).toEqual([B, C].sort());
  });

  it("refuses a centre the admin does not hold, and someone else's coordinator", async () => {
    const { accounts, as, call } = await world();
    await accounts.put({ id: 'coord-y', name: '郑老师', centres: [A], admin: false, status: 'active' });
    const give = await call(await as([A]), 'POST', '/api/coordinators/coord-y/centres', { centres: [A, C] });
    expect(give.status).toBe(403);
    const foreign = await call(await as([B]), 'POST', '/api/coordinators/coord-y/centres', { centres: [B] });
    expect(foreign.status).toBe(404);
    expect(
      (await call(await as([A]), 'POST', '/api/coordinators/nobody/centres', { centres: [A] })).status,
    ).toBe(404);
    expect((await accounts.get('coord-y'))?.centres).toEqual([A]);
  });

  it('keeps a coordinator with at least one centre', async () => {
    const { accounts, as, call } = await world();
    await accounts.put({ id: 'coord-z', name: '冯老师', centres: [A], admin: false, status: 'active' });
    const res = await call(await as([A]), 'POST', '/api/coordinators/coord-z/centres', { centres: [] });
    expect(res.status).toBe(400);
    expect(res.json.fields[0].field).toBe('body.centres');
    expect((await accounts.get('coord-z'))?.centres).toEqual([A]);
  });
});
