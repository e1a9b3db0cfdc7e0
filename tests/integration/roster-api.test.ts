import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { encodeRef } from '#lib/api/coordinator-api.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { type ApiSettings, apiSettings } from '#lib/config/api.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { keys } from '#lib/store/keys.ts';
import { LinkCodeRepository } from '#lib/store/roster/link-code-repository.ts';
import { RosterErasure } from '#lib/store/roster/roster-erasure.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { CoordinatorTaskRepository } from '#lib/store/tasks/coordinator-task-repository.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { CENTRE_A, CENTRE_B, CENTRE_B_CARER, seedSecondCentre } from '#tests/support/second-centre.ts';
import { texting } from '#tests/support/sms-webhook.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

// Saturday 10:00 in Shanghai, ISO week 2026-W49.
const clock = new ManualClock('2026-12-05T02:00:00Z');
const A = CENTRE_A;
const B = CENTRE_B;
const GRANDMOTHER = '+8613800000001';
const CENTRE_TEST_CARER = '+8613800000066';
const LI_PARENTS = ['+8613900000001', '+8613900000002'];
const ZHANG_BABA = '+8613900000003';
const B_CARER = CENTRE_B_CARER;
const HEADER = 'family,child,birth_year,category,consent,contact,role,phone,language';

let table: TestTable;
let config: Config;
let roster: RosterRepository;
let api: ReturnType<typeof createCoordinatorApiHandler>;
let settings: ApiSettings;
let deps: ReturnType<typeof createCoordinatorApiDependencies>;
let tokenA: string;
let tokenB: string;

async function call(
  pathAndQuery: string,
  options: { method?: 'GET' | 'POST'; token?: string; body?: string; type?: string } = {},
) {
  const method = options.method ?? 'GET';
  const headers = {
    'content-type': options.type ?? 'application/json',
    authorization: `Bearer ${options.token ?? tokenA}`,
  };
  const result = await invokeApi(api, pathAndQuery, { method, headers, body: options.body });
  const body = result.body ?? '';
  return { status: result.statusCode ?? 0, json: body ? JSON.parse(body) : undefined };
}

/** An erasure that fails its first removal of children (a DynamoDB timeout), then works. */
class FailingOnceErasure extends RosterErasure {
  failures = 1;
  override async eraseChildren(...args: Parameters<RosterErasure['eraseChildren']>) {
    if (this.failures-- > 0) throw new Error('DynamoDB timed out');
    return super.eraseChildren(...args);
  }
}
/** The carer answers for the child while it is being erased: her check-in lands after the erasure read. */
class AnsweredMeanwhileErasure extends RosterErasure {
  constructor(
    opts: ConstructorParameters<typeof RosterErasure>[0],
    private readonly write: () => Promise<void>,
  ) {
    super(opts);
  }
  override async eraseChildren(...args: Parameters<RosterErasure['eraseChildren']>) {
    const audit = await super.eraseChildren(...args);
    await this.write();
    return audit;
  }
}
const post = (path: string, body: unknown, token?: string) =>
  call(path, { method: 'POST', body: JSON.stringify(body), ...(token ? { token } : {}) });
const importCsv = (query: string, csv: string, token?: string) =>
  call(`/api/roster/import?${query}`, {
    method: 'POST',
    body: csv,
    type: 'text/csv',
    ...(token ? { token } : {}),
  });

/** Starts an erasure (202), runs its job to the end as the tick would, and returns the job as GET shows it. */
async function eraseToTheEnd(path: string) {
  const started = await post(path, {});
  expect(started.status).toBe(202);
  const [, centreId, jobId] = JSON.parse(Buffer.from(started.json.id, 'base64url').toString('utf8'));
  await deps.erasureJobs.run(centreId, jobId, 1000);
  const job = await call(`/api/jobs/${started.json.id}`);
  expect(job.status).toBe(200);
  return job.json;
}

async function partition(pk: string) {
  return (
    (
      await table.client.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
        }),
      )
    ).Items ?? []
  );
}
async function everything() {
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

beforeAll(async () => {
  table = await createTestTable();
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  settings = apiSettings(config, {});
  roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(roster);
  await seedSecondCentre(roster);
  // Real data to erase: a check-in with an alert (very sad), a session, the message log, replies,
  // the coordinator's alert message, and a parent's message for the child.
  const say = texting(config, outboundHarness(config, table, clock, localOutbox).adapters);
  for (const answer of ['签到', '3', '4', '1', '1', '1', '想妈妈', '5', '1']) await say(GRANDMOTHER, answer);
  await say(LI_PARENTS[0] as string, '小明生日快乐！');
  await say(ZHANG_BABA, '张伟加油');

  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  tokenA = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-a', centres: [A] });
  tokenB = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-b', centres: [B] });
  deps = createCoordinatorApiDependencies(config, createLogger('coordinator-api'), {
    client: table.client,
    clock,
    queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
  });
  api = createCoordinatorApiHandler(createCoordinatorApiOptions(settings, deps));
});

describe('roster routes: families and contacts', () => {
  it('creates, reads, lists and updates a family and a contact, numbers normalised', async () => {
    const created = await post('/api/families', {
      centre: A,
      name: '赵家',
      children: [{ name: '小花', birthYear: 2017, category: 'one-away', consent: { mood: true } }],
    });
    expect(created.status).toBe(201);
    const family = created.json;
    expect(family.children[0]).toMatchObject({
      name: '小花',
      consent: { attendance: false, mood: true, school: false, health: false },
    });
    expect((await call(`/api/families/${family.id}`)).json).toEqual(family);
    const list = (await call(`/api/families?centre=${A}`)).json.families as { name: string }[];
    // (张家 rather than 李家: another test may erase the Li family first.)
    expect(list.map((f) => f.name)).toEqual(expect.arrayContaining(['张家', '赵家']));

    const contact = await post('/api/contacts', {
      centre: A,
      name: '赵奶奶',
      role: 'carer',
      language: 'zh-CN',
      phones: ['138 0000 0077'],
      families: [family.id],
    });
    expect(contact.status).toBe(201);
    expect(contact.json.addresses).toEqual([{ channel: 'sms', address: '+8613800000077', invalid: false }]);
    expect(await roster.findContactIdByAddress('sms', '+8613800000077')).toBeDefined();

    const renamed = await post(`/api/contacts/${contact.json.id}`, {
      name: '赵外婆',
      phones: ['+86 138 0000 0078'],
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ name: '赵外婆', addresses: [{ address: '+8613800000078' }] });
    expect(await roster.findContactIdByAddress('sms', '+8613800000077')).toBeUndefined();

    const grown = await post(`/api/families/${family.id}`, {
      children: [family.children[0], { name: '小草', birthYear: 2019, category: 'one-away' }],
    });
    expect(grown.json.children.map((c: { name: string }) => c.name)).toEqual(['小花', '小草']);
    expect(grown.json.children[0].id).toBe(family.children[0].id);
    expect(grown.json.contacts).toEqual([{ id: contact.json.id, name: '赵外婆', role: 'carer' }]);
    // The carer's projection sees the new child.
    expect((await roster.getContactView('sms', '+8613800000078'))?.children.map((c) => c.name)).toEqual([
      '小花',
      '小草',
    ]);
    // An update that leaves consent out keeps what the family agreed.
    const { consent: _, ...xiaohua } = family.children[0];
    const renamedChild = await post(`/api/families/${family.id}`, {
      children: [{ ...xiaohua, name: '花花' }, grown.json.children[1]],
    });
    expect(renamedChild.json.children[0]).toMatchObject({
      name: '花花',
      consent: { attendance: false, mood: true, school: false, health: false },
    });
  });

  it('sets how a carer checks in (one message or step by step), and the conversation sees it', async () => {
    const family = (
      await post('/api/families', {
        centre: A,
        name: '钱家',
        children: [{ name: '小钱', birthYear: 2016, category: 'both-away' }],
      })
    ).json;
    const created = await post('/api/contacts', {
      centre: A,
      name: '钱奶奶',
      role: 'carer',
      language: 'zh-CN',
      phones: ['+8613800000091'],
      families: [family.id],
      checkinForm: 'one-message',
    });
    expect(created.status).toBe(201);
    expect(created.json.checkinForm).toBe('one-message');
    expect((await roster.getContactView('sms', '+8613800000091'))?.checkinForm).toBe('one-message');
    const back = await post(`/api/contacts/${created.json.id}`, { checkinForm: 'steps' });
    expect(back.json.checkinForm).toBe('steps');
    expect((await roster.getContactView('sms', '+8613800000091'))?.checkinForm).toBe('steps');
    const wrong = await post(`/api/contacts/${created.json.id}`, { checkinForm: 'weekly' });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.json)).toContain('checkinForm');
  });

  it('400 lists the bad fields; 409 for a number of another contact', async () => {
    const bad = await post('/api/contacts', {
      centre: A,
      name: '',
      role: 'aunt',
      language: 'fr',
      phones: ['12345'],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'body.language',
      'body.name',
      'body.phones.0',
      'body.role',
    ]);
    const taken = await post('/api/contacts', {
      centre: A,
      name: '冒名',
      role: 'carer',
      language: 'zh-CN',
      phones: ['13700000001'], // the coordinator's, whom no test erases
    });
    expect(taken.status).toBe(409);
  });
});

describe('centre routes', () => {
  it("lists, creates and updates only the centres in the token; a change reaches the contacts' help texts", async () => {
    if (settings.auth.mode !== 'local') throw new Error('expected local auth');
    // A carer of its own in centre A (the demo family may be erased by another test first).
    await roster.putContact({
      contactId: 'contact-centre-test',
      centreId: A,
      name: '周奶奶',
      role: 'carer',
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address: CENTRE_TEST_CARER }],
      familyIds: [],
    });
    const tokenNew = await issueLocalToken(settings.auth.signingKey, {
      subject: 'coord-new',
      centres: [A, 'centre-new'],
    });
    const listed = await call('/api/centres', { token: tokenNew });
    expect(listed.json.centres.map((c: { id: string }) => c.id)).toEqual([A]);
    expect(listed.json.missing).toEqual(['centre-new']);

    const body = { id: 'centre-new', name: '新村儿童之家', village: '新村', phone: '0731-8888 7777' };
    expect((await post('/api/centres', body, tokenNew)).status).toBe(201);
    expect((await post('/api/centres', body, tokenNew)).status).toBe(409);
    // Not in the token: 404, existing or not, and nothing changes.
    expect((await post('/api/centres', { ...body, id: 'centre-other' })).status).toBe(404);
    expect((await post('/api/centres', { ...body, id: B })).status).toBe(404);
    expect((await post(`/api/centres/${B}`, { phone: '110' })).status).toBe(404);
    expect(
      (await call('/api/centres', { token: tokenB })).json.centres.map((c: { id: string }) => c.id),
    ).toEqual([B]);

    const updated = await post(`/api/centres/${A}`, { phone: '0731-8888 0000' });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ id: A, phone: '0731-8888 0000' });
    expect((await roster.getContactView('sms', CENTRE_TEST_CARER))?.centrePhone).toBe('0731-8888 0000');
    expect((await post(`/api/centres/${A}`, { phone: '' })).status).toBe(400);
  });
});

describe('roster routes: the scope matrix', () => {
  const wuFamily = encodeRef('family', B, 'family-wu');
  const wuCarer = encodeRef('contact', B, 'contact-wu-nainai');
  const forged = encodeRef('family', A, 'family-wu');

  it.each([
    ['GET', `/api/families/${wuFamily}`, undefined],
    ['POST', `/api/families/${wuFamily}`, { name: 'x' }],
    ['POST', `/api/families/${wuFamily}/erase`, {}],
    ['GET', `/api/contacts/${wuCarer}`, undefined],
    ['POST', `/api/contacts/${wuCarer}`, { name: 'x' }],
    ['POST', `/api/contacts/${wuCarer}/erase`, {}],
    ['GET', `/api/families?centre=${B}`, undefined],
    ['GET', `/api/contacts?centre=${B}`, undefined],
    ['POST', '/api/families', { centre: B, name: 'x', children: [] }],
    [
      'POST',
      '/api/contacts',
      { centre: A, name: 'x', role: 'carer', language: 'en', phones: ['13800000055'], families: [wuFamily] },
    ],
    ['GET', `/api/families/${forged}`, undefined],
  ] as const)('a coordinator of A: %s %s → 404', async (method, path, body) => {
    const response = await call(path, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.json)).not.toMatch(/吴|hekou/);
  });

  it('a coordinator of A cannot import into B; B still has everything', async () => {
    const response = await importCsv(
      `centre=${B}`,
      `${HEADER}\n吴家,吴小,2016,both-away,,吴奶奶,carer,13800000066,`,
    );
    expect(response.status).toBe(404);
    expect(await roster.getFamily('family-wu')).toBeDefined();
    expect((await call(`/api/contacts/${wuCarer}`, { token: tokenB })).status).toBe(200);
  });
});

describe('roster import', () => {
  const good = [
    HEADER,
    '孙家,小光,2015,both-away,attendance;mood,孙奶奶,carer,139 0000 1001,zh-CN',
    '孙家,小亮,2017,both-away,,孙奶奶,carer,+86 13900001001,zh-CN',
    '孙家,小光,2015,both-away,attendance;mood,孙爸爸,parent,１３９００００１００２,zh-CN',
  ].join('\r\n');
  const bad = [
    good,
    '钱家,小雨,2016,far-away,,钱奶奶,carer,13900001003,zh-CN',
    `周家,小雪,2016,both-away,,冒名,carer,${B_CARER},zh-CN`,
  ].join('\r\n');

  it('a dry run reports and writes nothing', async () => {
    const before = (await everything()).length;
    const response = await importCsv(`centre=${A}&dryRun=true`, `\uFEFF${good}`);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      valid: 3,
      invalid: 0,
      written: false,
      families: 1,
      children: 2,
      contacts: 2,
    });
    expect((await everything()).length).toBe(before);
  });

  it('invalid lines: a per-line report, and nothing written unless the valid rows are accepted', async () => {
    const before = (await everything()).length;
    const refused = await importCsv(`centre=${A}`, bad);
    expect(refused.status).toBe(422);
    expect(refused.json.written).toBe(false);
    expect(refused.json.lines.filter((l: { status: string }) => l.status === 'invalid')).toEqual([
      {
        line: 5,
        status: 'invalid',
        reasons: ['category: one of both-away, one-away, with-parents'],
      },
      {
        line: 6,
        status: 'invalid',
        // The other contact is of another centre: not named.
        reasons: [`phone: ${B_CARER} already belongs to another contact, this line says "冒名"`],
      },
    ]);
    expect((await everything()).length).toBe(before);

    const accepted = await importCsv(`centre=${A}&acceptValidRows=true`, bad);
    expect(accepted.status).toBe(200);
    expect(accepted.json).toMatchObject({ valid: 3, invalid: 2, written: true });
    const grandma = await roster.getContactView('sms', '+8613900001001');
    expect(grandma?.children.map((c) => c.name)).toEqual(['小光', '小亮']);
    expect(await roster.findContactIdByAddress('sms', '+8613900001002')).toBeDefined();
    expect(await roster.findContactIdByAddress('sms', '+8613900001003')).toBeUndefined();
    expect(await roster.findContactIdByAddress('sms', B_CARER)).toBe('contact-wu-nainai');
    expect((await roster.getContact('contact-wu-nainai'))?.name).toBe('吴奶奶');

    // Importing the same file again changes nothing (ids derived from the content).
    const count = (await everything()).length;
    expect((await importCsv(`centre=${A}`, good)).json.written).toBe(true);
    expect((await everything()).length).toBe(count);
  });

  it('refuses a file over the size limit (413) and a file without the columns', async () => {
    const huge = `${HEADER}\n${'孙家,小光,2015,both-away,,孙奶奶,carer,13900001001,zh-CN\n'.repeat(25_000)}`;
    expect((await importCsv(`centre=${A}&dryRun=true`, huge)).status).toBe(413);
    const noColumns = await importCsv(`centre=${A}&dryRun=true`, 'name,number\n李,1');
    expect(noColumns.json.fileError).toMatch(/missing columns/);
  });
});

describe('erase on request (PIPL)', () => {
  beforeAll(async () => {
    // A broadcast to the whole centre: its recipient items and messages name the contacts too.
    const draft = await post('/api/broadcasts', { centres: [A], texts: { 'zh-CN': '周六上午有活动。' } });
    const approved = await post(`/api/broadcasts/${draft.json.id}/approve`, {});
    expect(approved.json.status).toBe('sent');
    expect((await call(`/api/broadcasts/${draft.json.id}`)).json.report.recipients).toBeGreaterThan(3);
  });

  // One test for the Li family: a child taken off, then the whole family erased (in either order of
  // tests, erasing first would leave no child to take off).
  it('a child taken off the family leaves nothing behind, the other keeps everything; erasing the family then leaves nothing', async () => {
    const ref = encodeRef('family', A, 'family-li');
    const before = (await call(`/api/families/${ref}`)).json;
    const xiaoming = before.children.find((c: { name: string }) => c.name === '小明');
    // Records shared by both children: an open task about their carer (and its escalation), and a
    // parent's message for both. They must stay, about 小明 only.
    const tasks = new CoordinatorTaskRepository({ client: table.client, tableName: table.tableName });
    const taskId = 'missed#contact-li-nainai#2026-W49';
    expect(
      await tasks.raise({
        taskId,
        centreId: A,
        kind: 'missed-checkins',
        contactId: 'contact-li-nainai',
        contactName: '李奶奶',
        childIds: ['child-xiaohong', 'child-xiaoming'],
        childNames: ['小红', '小明'],
        weeks: ['2026-W48', '2026-W49'],
        optedOut: false,
        raisedAt: '2026-12-04T12:00:00.000Z',
      }),
    ).toBe(true);
    const messageKey = `2026-12-05T01:00:00.000Z#sms#SM${'c'.repeat(32)}`;
    const message = keys.childMessage(A, messageKey);
    const child = (childId: string, name: string) => ({
      childId,
      familyId: 'family-li',
      name,
      category: 'both-away',
    });
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          ...message,
          entity: 'child-message',
          messageKey,
          centreId: A,
          fromContactId: 'contact-li-baba',
          fromName: '小明爸爸',
          children: [child('child-xiaoming', '小明'), child('child-xiaohong', '小红')],
          text: '孩子们加油',
          truncated: false,
          week: '2026-W49',
          receivedAt: '2026-12-05T01:00:00.000Z',
          status: 'new',
        },
      }),
    );
    expect(await partition('CHILD#child-xiaohong')).not.toEqual([]);
    const kept = await partition('CHILD#child-xiaoming');
    expect(kept).not.toEqual([]);
    const about = (name: RegExp) => async () =>
      (await everything()).filter((i) => name.test(JSON.stringify(i)));
    const aboutXiaoming = about(/child-xiaoming|小明/);
    const onlyXiaoming = (await aboutXiaoming()).filter(
      (i) => !/child-xiaohong|小红/.test(JSON.stringify(i)),
    );

    // Other tests remove children in this centre too: this test's audit is the one that is new.
    const removals = async () =>
      (await partition(`CENTRE#${A}`)).filter((i) => i.action === 'remove-children');
    const earlier = new Set((await removals()).map((i) => i.auditId));
    const res = await post(`/api/families/${ref}`, {
      children: [
        {
          id: xiaoming.id,
          name: '小明',
          birthYear: xiaoming.birthYear,
          category: xiaoming.category,
          consent: xiaoming.consent,
        },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.children.map((c: { name: string }) => c.name)).toEqual(['小明']);
    expect(await partition('CHILD#child-xiaohong')).toEqual([]);
    expect(await partition('CHILD#child-xiaoming')).toEqual(kept);
    // Everything about 小明 alone is untouched; the shared records remain, naming only 小明.
    const after = await aboutXiaoming();
    // (Its parents' profiles are rewritten with the family: only their write time and version change.)
    const unstamped = ({ updatedAt: _, version: __, ...rest }: Record<string, unknown>) => rest;
    for (const item of onlyXiaoming) expect(after.map(unstamped)).toContainEqual(unstamped(item));
    expect(await tasks.get(A, taskId)).toMatchObject({
      status: 'open',
      childIds: ['child-xiaoming'],
      childNames: ['小明'],
    });
    const escalation = keys.taskFollowUp(A, taskId);
    expect(after.find((i) => i.pk === escalation.pk && i.sk === escalation.sk)).toMatchObject({
      childIds: ['child-xiaoming'],
    });
    expect(after.find((i) => i.pk === message.pk && i.sk === message.sk)).toMatchObject({
      text: '孩子们加油',
      children: [child('child-xiaoming', '小明')],
    });
    // Only the carer's own conversation keeps the name: her message log and the replies she got (both
    // on a TTL), and her session, which ends at her next message since its child is gone. Erasing her
    // would take those too.
    const left = await about(/child-xiaohong|小红/)();
    const hers = (i: Record<string, unknown>) =>
      i.pk === `ADDR#sms#${GRANDMOTHER}` || (i.kind === 'reply' && i.address === GRANDMOTHER);
    expect(left.filter((i) => !hers(i))).toEqual([]);
    expect((await roster.getContactView('sms', GRANDMOTHER))?.children.map((c) => c.name)).toEqual(['小明']);
    const audits = (await removals()).filter((i) => !earlier.has(i.auditId));
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      by: 'coord-a',
      deleted: { checkin: 1, 'task-updated': 1, 'task-follow-up-updated': 1, 'message-for-child-updated': 1 },
    });
    expect(audits[0]?.deleted).not.toHaveProperty('task');

    // Then the whole family goes.
    {
      const job = await eraseToTheEnd(`/api/families/${encodeRef('family', A, 'family-li')}/erase`);
      expect(job).toMatchObject({ status: 'done', kind: 'erase-family', by: 'coord-a' });
      expect(job.deleted.checkin).toBeGreaterThan(0);

      for (const pk of [
        'FAMILY#family-li',
        'CHILD#child-xiaoming',
        'CHILD#child-xiaohong',
        'CONTACT#contact-li-nainai',
        'CONTACT#contact-li-baba',
        'CONTACT#contact-li-mama',
        `ADDR#sms#${GRANDMOTHER}`,
        ...LI_PARENTS.map((p) => `ADDR#sms#${p}`),
      ])
        expect(await partition(pk), pk).toEqual([]);
      const all = await everything();
      const mentions = all.filter((i) =>
        /child-xiaoming|child-xiaohong|family-li\b|contact-li-|小明|小红|李奶奶|8613800000001|8613900000001|8613900000002/.test(
          JSON.stringify(i),
        ),
      );
      expect(mentions).toEqual([]);
      const audits = (await partition(`CENTRE#${A}`)).filter((i) => i.action === 'erase-family');
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ by: 'coord-a' });
      // The rest of the centre is untouched.
      expect(await roster.getFamily('family-zhang')).toBeDefined();
      expect((await call(`/api/families/${encodeRef('family', A, 'family-li')}`)).status).toBe(404);
    }
  });

  it('a failed erasure leaves the child on the list with its data; the retry erases it', async () => {
    const created = await post('/api/families', {
      centre: A,
      name: '钱家',
      children: [
        { name: '小甲', birthYear: 2015, category: 'one-away' },
        { name: '小乙', birthYear: 2017, category: 'one-away' },
      ],
    });
    expect(created.status).toBe(201);
    const [jia, yi] = created.json.children as { id: string; name: string }[];
    if (!jia || !yi) throw new Error('expected two children');
    const yiId = yi.id; // a child's id in the API is its own id (as the update body takes it)
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: `CHILD#${yiId}`, sk: 'WEEK#2026-W49', entity: 'checkin', childId: yiId, mood: 2 },
      }),
    );
    const audits = async () =>
      (await partition(`CENTRE#${A}`)).filter((i) => i.action === 'remove-children').length;
    const auditsBefore = await audits();
    const erasure = new FailingOnceErasure({ client: table.client, tableName: table.tableName, roster });
    const flaky = createCoordinatorApiHandler(createCoordinatorApiOptions(settings, { ...deps, erasure }));
    const update = async () => {
      const result = await invokeApi(flaky, `/api/families/${created.json.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` },
        body: JSON.stringify({
          children: [{ id: jia.id, name: '小甲', birthYear: 2015, category: 'one-away' }],
        }),
      });
      return result.statusCode;
    };

    expect(await update()).toBe(500);
    const still = (await call(`/api/families/${created.json.id}`)).json;
    expect(still.children.map((c: { name: string }) => c.name).sort()).toEqual(['小乙', '小甲'].sort());
    expect(await partition(`CHILD#${yiId}`)).toHaveLength(1);
    expect(await audits()).toBe(auditsBefore);

    expect(await update()).toBe(200);
    const now = (await call(`/api/families/${created.json.id}`)).json;
    expect(now.children.map((c: { name: string }) => c.name)).toEqual(['小甲']);
    expect(await partition(`CHILD#${yiId}`)).toEqual([]);
    expect((await everything()).filter((i) => new RegExp(`${yiId}|小乙`).test(JSON.stringify(i)))).toEqual(
      [],
    );
    expect(await audits()).toBe(auditsBefore + 1);
  });

  it('what is written about the child while it is erased goes too (swept after the family write)', async () => {
    const created = await post('/api/families', {
      centre: A,
      name: '孙家',
      children: [
        { name: '孙大', birthYear: 2014, category: 'both-away' },
        { name: '孙二', birthYear: 2016, category: 'both-away' },
      ],
    });
    const [da, er] = created.json.children as { id: string }[];
    if (!da || !er) throw new Error('expected two children');
    const lateCheckin = () =>
      table.client
        .send(
          new PutCommand({
            TableName: table.tableName,
            Item: { pk: `CHILD#${er.id}`, sk: 'CHECKIN#2026-W49', entity: 'checkin', childId: er.id },
          }),
        )
        .then(() => undefined);
    const erasure = new AnsweredMeanwhileErasure(
      { client: table.client, tableName: table.tableName, roster },
      lateCheckin,
    );
    const api2 = createCoordinatorApiHandler(createCoordinatorApiOptions(settings, { ...deps, erasure }));
    const result = await invokeApi(api2, `/api/families/${created.json.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` },
      body: JSON.stringify({
        children: [{ id: da.id, name: '孙大', birthYear: 2014, category: 'both-away' }],
      }),
    });
    expect(result.statusCode).toBe(200);
    expect(await partition(`CHILD#${er.id}`)).toEqual([]);
  });

  it('erasing a contact removes every item of theirs; their family stays', async () => {
    const ref = encodeRef('contact', A, 'contact-zhang-baba');
    const links = new LinkCodeRepository({ client: table.client, tableName: table.tableName });
    const { code } = await links.issue('contact-zhang-baba', clock.now());
    expect(await partition(`LINKCODE#${code}`)).toHaveLength(1);
    expect(await eraseToTheEnd(`/api/contacts/${ref}/erase`)).toMatchObject({ status: 'done' });
    expect(await partition('CONTACT#contact-zhang-baba')).toEqual([]);
    expect(await partition(`ADDR#sms#${ZHANG_BABA}`)).toEqual([]);
    expect(await partition(`LINKCODE#${code}`)).toEqual([]);
    const all = await everything();
    expect(all.filter((i) => /contact-zhang-baba|8613900000003|张伟加油/.test(JSON.stringify(i)))).toEqual(
      [],
    );
    expect((await roster.listFamilyContacts('family-zhang')).map((m) => m.contactId)).toEqual([
      'contact-zhang-nainai',
    ]);
    expect((await post(`/api/contacts/${ref}/erase`, {})).status).toBe(404);
  });
});
