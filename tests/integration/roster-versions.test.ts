// Records that cannot be overwritten blind (issue 16): versioned contacts, families and centres, an
// opt-out no roster write or import can clear, and tombstones after erasure. Real DynamoDB Local, the
// real SMS webhook for the person's STOP, the real coordinators' API handler.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { encodeRef } from '#lib/api/coordinator-api.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { apiSettings } from '#lib/config/api.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { ErasedError, VersionConflictError } from '#lib/errors.ts';
import { ErasureJobs } from '#lib/jobs/erasure-jobs.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { retryOnVersionConflict } from '#lib/store/conditional-write.ts';
import { JobRepository } from '#lib/store/jobs/job-repository.ts';
import { keys } from '#lib/store/keys.ts';
import { RosterErasure } from '#lib/store/roster/roster-erasure.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { texting } from '#tests/support/sms-webhook.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const START = '2026-12-05T02:00:00Z';
const CENTRE = 'centre-shimen';
const HEADER = 'family,child,birth_year,category,consent,contact,role,phone,language';
const CARER = '+8613812340001';
const OTHER_CARER = '+8613812340002';
const ROSTER_CSV = [
  HEADER,
  `赵家,赵小虎,2016,both-away,mood,赵奶奶,carer,${CARER},zh-CN`,
  `孙家,孙小梅,2017,one-away,,孙奶奶,carer,${OTHER_CARER},zh-CN`,
].join('\n');

let clock: ManualClock;
let table: TestTable;
let config: Config;
let roster: RosterRepository;
let say: ReturnType<typeof texting>;
let api: ReturnType<typeof createCoordinatorApiHandler>;
let token: string;

async function call(path: string, options: { method?: 'GET' | 'POST'; body?: string; type?: string } = {}) {
  const result = await invokeApi(api, path, {
    method: options.method ?? 'GET',
    headers: { 'content-type': options.type ?? 'application/json', authorization: `Bearer ${token}` },
    body: options.body,
  });
  const body = result.body ?? '';
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = body;
  }
  // biome-ignore lint/suspicious/noExplicitAny: test reads of JSON responses
  return { status: result.statusCode ?? 0, json: json as any };
}
const importCsv = (csv: string) =>
  call(`/api/roster/import?centre=${CENTRE}`, { method: 'POST', body: csv, type: 'text/csv' });

async function everything(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await table.client.send(
      new ScanCommand({ TableName: table.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

// A fresh table with the demo roster and a fresh clock per test: a test that needs the CSV's
// families imports them itself, so no test meets another's edits, opt-outs or erasures.
beforeEach(async () => {
  clock = new ManualClock(START);
  table = await createTestTable();
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(roster);
  say = texting(config, outboundHarness(config, table, clock, localOutbox).adapters);
  const settings = apiSettings(config, {});
  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  token = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-a', centres: [CENTRE] });
  const deps = createCoordinatorApiDependencies(config, createLogger('coordinator-api'), {
    client: table.client,
    clock,
    queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
  });
  api = createCoordinatorApiHandler(createCoordinatorApiOptions(settings, deps));
});

async function carerId(phone: string): Promise<string> {
  const id = await roster.findContactIdByAddress('sms', phone);
  if (!id) throw new Error(`no contact for ${phone}`);
  return id;
}

describe('a STOP no roster write can undo', () => {
  it('a write that read the contact before the STOP fails its condition; written again from a fresh read, it keeps the opt-out', async () => {
    expect((await importCsv(ROSTER_CSV)).status).toBe(200);
    const id = await carerId(CARER);
    const stale = await roster.getContact(id);
    if (!stale) throw new Error('imported contact missing');
    expect(stale.optedOut).toBe(false);

    const [stop] = (await say(CARER, 'TD')).replies;
    expect(stop).toBeDefined();
    const stopped = await roster.getContact(id);
    expect(stopped?.optedOut).toBe(true);
    expect(stopped?.optedOutAt).toBe(clock.now().toISOString());
    expect(stopped?.version).toBe((stale.version ?? 0) + 1);

    // The coordinator's edit, read before the STOP: refused, nothing written.
    await expect(roster.putContact({ ...stale, name: '赵奶奶（改）' })).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    expect((await roster.getContact(id))?.name).toBe('赵奶奶');
    // A write that says "opted in" outright, on a fresh read: written, but the opt-out stays everywhere.
    const { version: _, ...blind } = stale;
    await roster.putContact({ ...blind, name: '赵奶奶（改）', optedOut: false });
    expect(await roster.getContact(id)).toMatchObject({ name: '赵奶奶（改）', optedOut: true });
    expect((await roster.getContactView('sms', CARER))?.optedOut).toBe(true);
    const link = (await everything()).find(
      (i) => i.pk === keys.centreContact(CENTRE, id).pk && i.sk === keys.centreContact(CENTRE, id).sk,
    );
    expect(link?.optedOut).toBe(true);
  });

  it('the same CSV imported again keeps her opted out and says so; the API edit keeps it too', async () => {
    expect((await importCsv(ROSTER_CSV)).status).toBe(200);
    const id = await carerId(CARER);
    expect((await say(CARER, 'TD')).statusCode).toBe(200);
    expect((await roster.getContact(id))?.optedOut).toBe(true);
    const again = await importCsv(ROSTER_CSV);
    expect(again.status).toBe(200);
    expect(again.json.written).toBe(true);
    expect(again.json.notices).toEqual([{ line: 2, notice: expect.stringContaining('stays opted out') }]);
    expect((await roster.getContact(id))?.optedOut).toBe(true);

    const ref = encodeRef('contact', CENTRE, id);
    const edited = await call(`/api/contacts/${ref}`, {
      method: 'POST',
      body: JSON.stringify({ name: '赵奶奶', relationship: '奶奶' }),
    });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ optedOut: true, relationship: '奶奶' });
    // The opt-out is not a field the API takes.
    const sneaky = await call(`/api/contacts/${ref}`, {
      method: 'POST',
      body: JSON.stringify({ optedOut: false }),
    });
    expect(sneaky.status).toBe(400);
    // Only she can resume.
    await say(CARER, '订阅');
    expect((await roster.getContact(id))?.optedOut).toBe(false);
  });

  it('an API update with the version the caller read is a 409 once someone else wrote', async () => {
    expect((await importCsv(ROSTER_CSV)).status).toBe(200);
    const id = await carerId(OTHER_CARER);
    const ref = encodeRef('contact', CENTRE, id);
    const read = await call(`/api/contacts/${ref}`);
    const first = await call(`/api/contacts/${ref}`, {
      method: 'POST',
      body: JSON.stringify({ relationship: '外婆', version: read.json.version }),
    });
    expect(first.status).toBe(200);
    expect(first.json.version).toBe(read.json.version + 1);
    const second = await call(`/api/contacts/${ref}`, {
      method: 'POST',
      body: JSON.stringify({ relationship: '奶奶', version: read.json.version }),
    });
    expect(second.status).toBe(409);
    expect(JSON.stringify(second.json)).toMatch(/changed meanwhile/);
    // The answer carries the contact as stored now, so the caller can show both values and choose.
    expect(second.json.current).toMatchObject({
      id: ref,
      relationship: '外婆',
      version: read.json.version + 1,
    });
    expect(second.json.current).toEqual((await call(`/api/contacts/${ref}`)).json);
    expect((await roster.getContact(id))?.relationship).toBe('外婆');

    const family = read.json.families[0] as string;
    const f = await call(`/api/families/${family}`);
    const renamed = await call(`/api/families/${family}`, {
      method: 'POST',
      body: JSON.stringify({ name: '孙家（新）', version: f.json.version }),
    });
    expect(renamed.status).toBe(200);
    const stale = await call(`/api/families/${family}`, {
      method: 'POST',
      body: JSON.stringify({ name: '孙家（旧）', version: f.json.version }),
    });
    expect(stale.status).toBe(409);
    const now = (await call(`/api/families/${family}`)).json;
    expect(now.name).toBe('孙家（新）');
    expect(stale.json.current).toEqual(now);
  });

  it('two API updates from the same read at once: one lands, the other is a 409 carrying the winner', async () => {
    expect((await importCsv(ROSTER_CSV)).status).toBe(200);
    const ref = encodeRef('contact', CENTRE, await carerId(CARER));
    const read = await call(`/api/contacts/${ref}`);
    const answers = await Promise.all(
      ['外婆', '祖母'].map((relationship) =>
        call(`/api/contacts/${ref}`, {
          method: 'POST',
          body: JSON.stringify({ relationship, version: read.json.version }),
        }),
      ),
    );
    const won = answers.filter((r) => r.status === 200);
    const lost = answers.filter((r) => r.status === 409);
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    // Whether the loser saw the change on reading or only on writing, it is told what is stored now.
    expect(lost[0]?.json.current).toEqual(won[0]?.json);
    expect(lost[0]?.json.current).toEqual((await call(`/api/contacts/${ref}`)).json);
  });
});

describe('the import report, line by line', () => {
  it('created, then all unchanged on the same file; an edit is updated with both values; a conflict is refused; a STOP is told', async () => {
    const first = await importCsv(ROSTER_CSV);
    expect(first.status).toBe(200);
    expect(first.json.summary).toEqual({ created: 2, updated: 0, unchanged: 0, refused: 0 });
    expect(first.json.lines[0]).toMatchObject({
      line: 2,
      result: 'created',
      changes: ['new family 赵家', 'new child 赵小虎', 'new contact 赵奶奶'],
    });

    const again = await importCsv(ROSTER_CSV);
    expect(again.json.summary).toEqual({ created: 0, updated: 0, unchanged: 2, refused: 0 });
    expect(again.json.lines.map((l: { result: string }) => l.result)).toEqual(['unchanged', 'unchanged']);

    // The dry run the console shows says what the write then does.
    const edited = `${ROSTER_CSV.replace('赵奶奶,carer', '赵外婆,carer')}\n钱家,钱小雨,2016,both-away,,李奶奶,carer,+8613800000001,zh-CN`;
    const dry = await call(`/api/roster/import?centre=${CENTRE}&dryRun=true`, {
      method: 'POST',
      body: edited,
      type: 'text/csv',
    });
    expect(dry.json.summary).toEqual({ created: 0, updated: 1, unchanged: 1, refused: 1 });
    expect(dry.json.lines[0]).toMatchObject({
      result: 'updated',
      changes: ['column contact: "赵奶奶" → "赵外婆"'],
    });
    // The demo's 李奶奶 has this number: named, as she is of this centre, beside the file's value.
    expect(dry.json.lines[2]).toMatchObject({
      line: 4,
      status: 'invalid',
      reasons: ['phone: +8613800000001 already belongs to "李奶奶" in the roster, this line says "李奶奶"'],
    });
    const written = await call(`/api/roster/import?centre=${CENTRE}&acceptValidRows=true`, {
      method: 'POST',
      body: edited,
      type: 'text/csv',
    });
    expect(written.json.written).toBe(true);
    expect(written.json.lines).toEqual(dry.json.lines);
    expect((await roster.getContact(await carerId(CARER)))?.name).toBe('赵外婆');

    // She says stop: the same file keeps her opted out, and her line says so.
    expect((await say(CARER, 'TD')).statusCode).toBe(200);
    const afterStop = await importCsv(edited.split('\n').slice(0, 3).join('\n'));
    expect(afterStop.json.summary).toEqual({ created: 0, updated: 0, unchanged: 2, refused: 0 });
    expect(afterStop.json.lines[0].notice).toMatch(/^赵外婆 said stop \(.+\) and stays opted out/);
    expect(afterStop.json.lines[1].notice).toBeUndefined();
    expect((await roster.getContact(await carerId(CARER)))?.optedOut).toBe(true);
  });
});

describe('two writers at once', () => {
  it('from the same read, exactly one wins and the other is told', async () => {
    const contact = await roster.getContact('contact-li-baba');
    if (!contact) throw new Error('demo contact missing');
    const results = await Promise.allSettled([
      roster.putContact({ ...contact, relationship: '爸爸' }),
      roster.putContact({ ...contact, quietHours: { start: '08:00', end: '16:00' } }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected');
    expect(lost?.status === 'rejected' && lost.reason).toBeInstanceOf(VersionConflictError);
    expect((await roster.getContact('contact-li-baba'))?.version).toBe((contact.version ?? 0) + 1);
  });

  it('each retrying from a fresh read: every change lands, none overwritten', async () => {
    const before = await roster.getContact('contact-li-mama');
    if (!before) throw new Error('demo contact missing');
    const change = (patch: Record<string, unknown>) =>
      retryOnVersionConflict(async () => {
        const fresh = await roster.getContact('contact-li-mama');
        if (!fresh) throw new Error('gone');
        return roster.putContact({ ...fresh, ...patch });
      }, 10);
    await Promise.all([
      change({ relationship: '妈妈' }),
      change({ quietHours: { start: '09:00', end: '17:00' } }),
      change({ checkinAt: { weekday: 6, time: '19:00' } }),
      change({ name: '李妈妈' }),
    ]);
    expect(await roster.getContact('contact-li-mama')).toMatchObject({
      relationship: '妈妈',
      quietHours: { start: '09:00', end: '17:00' },
      checkinAt: { weekday: 6, time: '19:00' },
      name: '李妈妈',
      version: (before.version ?? 0) + 4,
    });
  });

  it('a family written from a stale read is refused, its children with it', async () => {
    const family = await roster.getFamily('family-zhang');
    if (!family) throw new Error('demo family missing');
    await roster.putFamily({ ...family, name: '张家（新）' });
    await expect(roster.putFamily({ ...family, children: [] })).rejects.toBeInstanceOf(VersionConflictError);
    const now = await roster.getFamily('family-zhang');
    expect(now?.name).toBe('张家（新）');
    expect(now?.children).toEqual(family.children);
  });
});

describe('two writers at once on a family and on the centre settings', () => {
  it('two family edits, each retrying from a fresh read: both land, neither child is lost', async () => {
    const before = await roster.getFamily('family-zhang');
    if (!before) throw new Error('demo family missing');
    type Family = NonNullable<Awaited<ReturnType<RosterRepository['getFamily']>>>;
    const change = (edit: (f: Family) => Family) =>
      retryOnVersionConflict(async () => {
        const fresh = await roster.getFamily('family-zhang');
        if (!fresh) throw new Error('gone');
        return roster.putFamily(edit(fresh));
      }, 10);
    const added = {
      ...before.children[0],
      childId: 'child-zhang-new',
      name: '张小新',
    } as (typeof before.children)[0];
    await Promise.all([
      change((f) => ({ ...f, name: '张家（新）' })),
      change((f) => ({ ...f, children: [...f.children, added] })),
    ]);
    const after = await roster.getFamily('family-zhang');
    expect(after?.name).toBe('张家（新）');
    expect(after?.children.map((c) => c.childId).sort()).toEqual(
      [...before.children.map((c) => c.childId), 'child-zhang-new'].sort(),
    );
    expect(after?.version).toBe((before.version ?? 0) + 2);
  });

  it('two centre settings writes from the same read: one wins, the other gets a conflict; retried, both land', async () => {
    const centre = await roster.getCentre(CENTRE);
    if (!centre) throw new Error('demo centre missing');
    const results = await Promise.allSettled([
      roster.putCentre({ ...centre, phone: '0851-1111111' }),
      roster.putCentre({ ...centre, village: '新石门村' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected');
    expect(lost?.status === 'rejected' && lost.reason).toBeInstanceOf(VersionConflictError);
    const winner = await roster.getCentre(CENTRE);
    expect(winner?.version).toBe((centre.version ?? 0) + 1);

    const change = (patch: Record<string, string>) =>
      retryOnVersionConflict(async () => {
        const fresh = await roster.getCentre(CENTRE);
        if (!fresh) throw new Error('gone');
        return roster.putCentre({ ...fresh, ...patch });
      }, 10);
    await Promise.all([change({ phone: '0851-2222222' }), change({ name: '石门儿童之家（新）' })]);
    expect(await roster.getCentre(CENTRE)).toMatchObject({
      phone: '0851-2222222',
      name: '石门儿童之家（新）',
      version: (centre.version ?? 0) + 3,
    });
  });
});

describe('erasure leaves a tombstone', () => {
  it('the erased family and contact cannot be recreated by putFamily or putContact; nothing readable is kept', async () => {
    const family = await roster.getFamily('family-chen');
    const mum = await roster.getContact('contact-chen-mum');
    if (!family || !mum) throw new Error('demo family missing');
    const erasure = new RosterErasure({ client: table.client, tableName: table.tableName, roster });
    const jobs = new ErasureJobs({
      jobs: new JobRepository({ client: table.client, tableName: table.tableName }),
      erasure,
      clock,
      logger: createLogger('erasure'),
    });
    const job = await jobs.start('erase-family', CENTRE, 'family-chen', 'coord-a');
    expect(await jobs.run(CENTRE, job.jobId, 100)).toMatchObject({ status: 'done' });

    const { version: _f, ...familyInput } = family;
    await expect(roster.putFamily(familyInput)).rejects.toBeInstanceOf(ErasedError);
    const { version: _c, ...contactInput } = mum;
    await expect(roster.putContact({ ...contactInput, familyIds: [] })).rejects.toBeInstanceOf(ErasedError);
    expect(await roster.getFamily('family-chen')).toBeUndefined();
    expect(await roster.getContact('contact-chen-mum')).toBeUndefined();

    const table_ = JSON.stringify(await everything());
    for (const trace of [
      'family-chen',
      'contact-chen-mum',
      mum.name,
      ...mum.addresses.map((a) => a.address),
    ]) {
      expect(table_).not.toContain(trace);
    }
    expect((await everything()).filter((i) => i.entity === 'tombstone')).toHaveLength(2);
  });

  it('an import of an erased family is refused line by line, with the reason', async () => {
    expect((await importCsv(ROSTER_CSV)).status).toBe(200);
    const erase = await call(
      `/api/families/${encodeRef('family', CENTRE, (await roster.getContact(await carerId(OTHER_CARER)))?.familyIds[0] ?? '')}/erase`,
      { method: 'POST', body: '{}' },
    );
    // Accepted as a job; the tombstone is written by its first step, which runs in the request.
    expect(erase.status).toBe(202);
    const again = await importCsv(ROSTER_CSV);
    expect(again.status).toBe(422);
    expect(again.json.lines).toEqual([
      { line: 2, status: 'valid', reasons: [], result: 'unchanged' },
      {
        line: 3,
        status: 'invalid',
        reasons: [
          'family: erased on request, cannot be recreated',
          'contact: erased on request, cannot be recreated',
        ],
      },
    ]);
    expect(await roster.findContactIdByAddress('sms', OTHER_CARER)).toBeUndefined();
  });
});
