import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { encodeRef } from '#lib/api/coordinator-api.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { type ApiSettings, apiSettings, LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER } from '#lib/config/api.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { lambdaContext } from '#lib/local/lambda-adapter.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { keys } from '#lib/store/keys.ts';
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

// Saturday 10:00 in Shanghai, ISO week 2026-W49; the week before is 2026-W48.
const clock = new ManualClock('2026-12-05T02:00:00Z');
const WEEK = '2026-W49';
const LAST_WEEK = '2026-W48';
const A = CENTRE_A;
const B = CENTRE_B;
const GRANDMOTHER = '+8613800000001';
const B_CARER = CENTRE_B_CARER;
const PARENT = '+8613900000001';
const MESSAGE_TEXT = '他说, "想妈妈"\n周末见';

let table: TestTable;
let config: Config;
let settings: ApiSettings;
let api: ReturnType<typeof createCoordinatorApiHandler>;
let tokenA: string;
let tokenB: string;
let apiDeps: ReturnType<typeof createCoordinatorApiDependencies>;
const logLines: string[] = [];

interface Call {
  method?: 'GET' | 'POST';
  token?: string | null;
  body?: string;
  headers?: Record<string, string>;
}

async function call(pathAndQuery: string, options: Call = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  const token = options.token === undefined ? tokenA : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const method = options.method ?? 'GET';
  const result = await invokeApi(api, pathAndQuery, { method, headers, body: options.body });
  const body = result.body ?? '';
  const isJson = String(result.headers?.['content-type'] ?? '').startsWith('application/json');
  return {
    status: result.statusCode ?? 0,
    headers: result.headers ?? {},
    text: body,
    json: isJson ? JSON.parse(body) : undefined,
  };
}

const post = (path: string, body: unknown, options: Call = {}) =>
  call(path, { ...options, method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

async function getItem(key: { pk: string; sk: string }) {
  return (
    await table.client.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }))
  ).Item;
}

interface TaskJson {
  id: string;
  kind: string;
  status: string;
  acknowledged: { at: string; by: string; note?: string } | null;
  closed: { at: string; by: string; note?: string } | null;
  raisedAt: string;
  escalation: { state: string; dueAt: string; escalatedAt?: string; told?: number };
  alert?: { childId: string; itemId: string };
}

const tasksOf = async (centre: string, token: string, status = 'all') =>
  (await call(`/api/tasks?centre=${centre}&status=${status}`, { token })).json.tasks as TaskJson[];

beforeAll(async () => {
  table = await createTestTable();
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  settings = apiSettings(config, {});
  const roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(roster);
  await seedSecondCentre(roster);

  // Real alerts and a real check-in, through the SMS webhook handler.
  const say = texting(config, outboundHarness(config, table, clock, localOutbox).adapters);
  // 小明 (eldest first): 3 days, very sad (alert), school 1, health 1, talked 1, a message; then 小红.
  for (const answer of ['签到', '3', '4', '1', '1', '1', MESSAGE_TEXT, '5', '1', '2', '1', '2', '0'])
    await say(GRANDMOTHER, answer);
  for (const answer of ['签到', '3', '4']) await say(B_CARER, answer);
  await say(PARENT, '小明生日快乐！');

  // 小明 missed last week's check-in (as the deadline records it).
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...keys.checkin('child-xiaoming', LAST_WEEK),
        entity: 'checkin',
        childId: 'child-xiaoming',
        familyId: 'family-li',
        centreId: A,
        week: LAST_WEEK,
        status: 'missed',
        missedAt: '2026-11-29T12:00:00.000Z',
        createdAt: '2026-11-29T12:00:00.000Z',
        updatedAt: '2026-11-29T12:00:00.000Z',
      },
    }),
  );
  // A missed-check-ins task in each centre, as the tick raises them; a message for B's child.
  const tasks = new CoordinatorTaskRepository({ client: table.client, tableName: table.tableName });
  for (const [centreId, contactId] of [
    [A, 'contact-zhang-nainai'],
    [B, 'contact-wu-nainai'],
  ] as const) {
    await tasks.raise({
      taskId: `missed#${contactId}#${WEEK}`,
      centreId,
      kind: 'missed-checkins',
      contactId,
      contactName: 'carer',
      childIds: ['c'],
      childNames: ['child'],
      weeks: [LAST_WEEK, WEEK],
      optedOut: false,
      raisedAt: '2026-11-29T12:00:00.000Z',
    });
  }
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...keys.childMessage(B, `2026-12-05T01:00:00.000Z#sms#SM${'b'.repeat(32)}`),
        entity: 'child-message',
        messageKey: `2026-12-05T01:00:00.000Z#sms#SM${'b'.repeat(32)}`,
        centreId: B,
        fromContactId: 'contact-wu-baba',
        fromName: '吴爸爸',
        children: [{ childId: 'child-wuxiao', familyId: 'family-wu', name: '吴小', category: 'both-away' }],
        text: '吴小加油',
        truncated: false,
        week: WEEK,
        receivedAt: '2026-12-05T01:00:00.000Z',
        status: 'new',
      },
    }),
  );

  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  tokenA = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-a', centres: [A] });
  tokenB = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-b', centres: [B] });
  const deps = createCoordinatorApiDependencies(config, createLogger('coordinator-api'), {
    client: table.client,
    clock,
    queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
  });
  apiDeps = deps;
  api = createCoordinatorApiHandler(createCoordinatorApiOptions(settings, deps));

  // Every log line (stdout and stderr) written from here on.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logLines.push(String(chunk));
      return true;
    });
  }
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe('the coordinators API: authentication', () => {
  const routes: [string, 'GET' | 'POST'][] = [
    [`/api/tasks?centre=${A}`, 'GET'],
    ['/api/tasks/x/acknowledge', 'POST'],
    ['/api/tasks/x/close', 'POST'],
    [`/api/messages-for-child?centre=${A}`, 'GET'],
    ['/api/messages-for-child/x/delivered', 'POST'],
    [`/api/checkins/export.csv?centre=${A}&from=${WEEK}&to=${WEEK}`, 'GET'],
    [`/api/checkins/summary?centre=${A}&from=${WEEK}&to=${WEEK}`, 'GET'],
    ['/api/openapi.json', 'GET'],
    ['/api/no-such-route', 'GET'],
  ];

  it.each(routes)('%s (%s) without a token is 401', async (path, method) => {
    const res = await call(path, {
      method,
      token: null,
      body: method === 'POST' ? '{"note":"x"}' : undefined,
    });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json).toEqual({ error: 'unauthorized' });
  });

  it('refuses a token signed with another key, expired, for another audience, or without centres', async () => {
    if (settings.auth.mode !== 'local') throw new Error('expected local auth');
    const key = settings.auth.signingKey;
    const otherKey = new TextEncoder().encode('another-key-that-is-long-enough-to-sign-with');
    const sign = (
      claims: Record<string, unknown>,
      k: Uint8Array,
      exp: number | string = '1h',
      aud = LOCAL_TOKEN_AUDIENCE,
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('coord-a')
        .setIssuer(LOCAL_TOKEN_ISSUER)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(k);
    const bad = [
      await sign({ 'custom:centres': A }, otherKey),
      await sign({ 'custom:centres': A }, key, Math.floor(Date.now() / 1000) - 60),
      await sign({ 'custom:centres': A }, key, '1h', 'some-other-api'),
      await sign({}, key),
      await sign({ 'custom:centres': '' }, key),
      'not.a.token',
      `${tokenA.slice(0, -4)}AAAA`,
    ];
    for (const token of bad) {
      const res = await call(`/api/tasks?centre=${A}`, { token });
      expect(res.status, token).toBe(401);
    }
    const res = await call(`/api/tasks?centre=${A}`, { token: 'x', headers: { authorization: 'Basic abc' } });
    expect(res.status).toBe(401);
  });

  it('in AWS mode trusts only the claims API Gateway passes on', async () => {
    const awsApi = createCoordinatorApiHandler(
      createCoordinatorApiOptions(
        { auth: { mode: 'authorizer' }, maxBodyBytes: 16_384, accounts: { mode: 'none' } },
        createCoordinatorApiDependencies(config, createLogger('coordinator-api'), {
          client: table.client,
          clock,
          queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
        }),
      ),
    );
    const event = (claims?: Record<string, string>, authorization?: string) =>
      ({
        version: '2.0',
        routeKey: 'ANY /api/{proxy+}',
        rawPath: '/api/tasks',
        rawQueryString: `centre=${A}`,
        headers: authorization ? { authorization } : {},
        queryStringParameters: { centre: A },
        requestContext: {
          http: { method: 'GET', path: '/api/tasks' },
          ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
        },
        isBase64Encoded: false,
      }) as unknown as APIGatewayProxyEventV2;
    const run = async (e: APIGatewayProxyEventV2) =>
      ((await awsApi(e, lambdaContext('coordinator-api', randomUUID()))) as APIGatewayProxyStructuredResultV2)
        .statusCode;
    expect(await run(event({ sub: 'u1', 'custom:centres': `${B}, ${A}` }))).toBe(200);
    expect(await run(event({ sub: 'u1', 'custom:centres': B }))).toBe(404);
    expect(await run(event(undefined, `Bearer ${tokenA}`))).toBe(401);
    expect(await run(event({ sub: 'u1' }))).toBe(401);
  });
});

describe('the coordinators API: a coordinator sees and acts on their own centres only', () => {
  it('gives 404, exactly as for something that does not exist, for every route of another centre', async () => {
    const tasksB = await tasksOf(B, tokenB);
    const alertB = tasksB.find((t) => t.kind === 'alert');
    const taskB = tasksB.find((t) => t.kind === 'missed-checkins');
    const messagesB = (await call(`/api/messages-for-child?centre=${B}`, { token: tokenB })).json.messages;
    const messageB = messagesB[0] as { id: string };
    expect(alertB && taskB && messageB).toBeTruthy();
    const range = `from=${LAST_WEEK}&to=${WEEK}`;
    const notFound = { error: 'not found' };

    const matrix: [string, () => ReturnType<typeof call>][] = [
      ['list B tasks', () => call(`/api/tasks?centre=${B}`)],
      ['list B messages', () => call(`/api/messages-for-child?centre=${B}`)],
      ['export B', () => call(`/api/checkins/export.csv?centre=${B}&${range}`)],
      ['summary of B', () => call(`/api/checkins/summary?centre=${B}&${range}`)],
      ['acknowledge B alert', () => post(`/api/tasks/${alertB?.id}/acknowledge`, { note: 'x' })],
      ['close B alert', () => post(`/api/tasks/${alertB?.id}/close`, { note: 'x' })],
      ['acknowledge B task', () => post(`/api/tasks/${taskB?.id}/acknowledge`, { note: 'x' })],
      ['close B task', () => post(`/api/tasks/${taskB?.id}/close`, { note: 'x' })],
      ['deliver B message', () => post(`/api/messages-for-child/${messageB.id}/delivered`, {})],
      // The same ids claimed to be in A: no such item there.
      [
        'B alert named in A',
        () => post(`/api/tasks/${encodeRef('alert', A, `child-wuxiao#${WEEK}#mood`)}/close`, { note: 'x' }),
      ],
      [
        'B task named in A',
        () =>
          post(`/api/tasks/${encodeRef('task', A, `missed#contact-wu-nainai#${WEEK}`)}/close`, { note: 'x' }),
      ],
      ['a message id as a task', () => post(`/api/tasks/${messageB.id}/close`, { note: 'x' })],
      ['garbage id', () => post('/api/tasks/%E0%A4%A/close', { note: 'x' })],
      ['unknown centre', () => call(`/api/checkins/summary?centre=centre-nowhere&${range}`)],
    ];
    for (const [what, request] of matrix) {
      const res = await request();
      expect(res.status, what).toBe(404);
      expect(res.json, what).toEqual(notFound);
    }

    // Nothing of B changed, and B's own coordinator does see and can act on all of it.
    const after = await tasksOf(B, tokenB);
    expect(after).toEqual(tasksB);
    expect((await call(`/api/messages-for-child?centre=${B}`, { token: tokenB })).json.messages).toEqual(
      messagesB,
    );
    expect((await call(`/api/checkins/summary?centre=${B}&${range}`, { token: tokenB })).status).toBe(200);
    expect((await call(`/api/checkins/export.csv?centre=${B}&${range}`, { token: tokenB })).status).toBe(200);
    expect(
      (await post(`/api/tasks/${taskB?.id}/acknowledge`, { note: '打过电话' }, { token: tokenB })).status,
    ).toBe(200);
    expect(
      (await post(`/api/messages-for-child/${messageB.id}/delivered`, {}, { token: tokenB })).status,
    ).toBe(200);
  });

  it('lets a coordinator of both centres see both', async () => {
    if (settings.auth.mode !== 'local') throw new Error('expected local auth');
    const both = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-ab', centres: [A, B] });
    expect((await call(`/api/tasks?centre=${A}`, { token: both })).status).toBe(200);
    expect((await call(`/api/tasks?centre=${B}`, { token: both })).status).toBe(200);
  });
});

describe('the coordinators API: alerts and tasks', () => {
  it('lists the alert raised by the SMS turn and the task, then acknowledges and closes with who, when and why', async () => {
    const open = await tasksOf(A, tokenA, 'open');
    const alert = open.find((t) => t.kind === 'alert' && t.alert?.childId === 'child-xiaoming');
    expect(alert).toMatchObject({
      status: 'open',
      acknowledged: null,
      closed: null,
      alert: { itemId: 'mood' },
      // Not acknowledged yet: every coordinator is told a day after it was raised, unless someone acknowledges it.
      escalation: {
        state: 'pending',
        dueAt: new Date(Date.parse(alert?.raisedAt ?? '') + 24 * 3600_000).toISOString(),
      },
    });
    expect(open.some((t) => t.kind === 'missed-checkins')).toBe(true);
    const id = alert?.id ?? '';

    clock.set('2026-12-05T03:00:00Z');
    const ack = await post(`/api/tasks/${id}/acknowledge`, { note: '已家访，孩子想妈妈' });
    expect(ack.status).toBe(200);
    expect(ack.json).toEqual({ id, status: 'acknowledged', at: '2026-12-05T03:00:00.000Z', by: 'coord-a' });
    expect((await post(`/api/tasks/${id}/acknowledge`, { note: 'again' })).status).toBe(409);
    const acknowledged = (await tasksOf(A, tokenA, 'open')).find((t) => t.id === id);
    expect(acknowledged?.acknowledged).toEqual({
      at: '2026-12-05T03:00:00.000Z',
      by: 'coord-a',
      note: '已家访，孩子想妈妈',
    });
    expect(acknowledged?.escalation.state).toBe('stopped');

    clock.set('2026-12-05T04:00:00Z');
    expect((await post(`/api/tasks/${id}/close`, { note: '妈妈打来电话了' })).json.status).toBe('closed');
    expect((await post(`/api/tasks/${id}/close`, { note: 'again' })).status).toBe(409);
    expect((await post(`/api/tasks/${id}/acknowledge`, { note: 'late' })).status).toBe(409);
    expect((await tasksOf(A, tokenA, 'open')).some((t) => t.id === id)).toBe(false);
    const closed = (await tasksOf(A, tokenA, 'closed')).find((t) => t.id === id);
    expect(closed?.closed).toEqual({ at: '2026-12-05T04:00:00.000Z', by: 'coord-a', note: '妈妈打来电话了' });
    const stored = await getItem(keys.centreAlert(A, `child-xiaoming#${WEEK}#mood`));
    expect(stored).toMatchObject({ status: 'closed', closedBy: 'coord-a', acknowledgedBy: 'coord-a' });

    const task = open.find((t) => t.kind === 'missed-checkins');
    expect((await post(`/api/tasks/${task?.id}/close`, { note: '奶奶住院了' })).status).toBe(200);
  });
});

describe('the coordinators API: messages for the child', () => {
  it("lists the parent's message and marks it delivered once", async () => {
    const list = await call(`/api/messages-for-child?centre=${A}`);
    expect(list.status).toBe(200);
    const message = (
      list.json.messages as { id: string; text: string; children: { childId: string }[] }[]
    ).find((m) => m.text.includes('生日快乐'));
    expect(message?.children.map((c) => c.childId)).toContain('child-xiaoming');
    const id = message?.id ?? '';
    const done = await post(`/api/messages-for-child/${id}/delivered`, {});
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ status: 'delivered', by: 'coord-a' });
    expect((await post(`/api/messages-for-child/${id}/delivered`, {})).status).toBe(409);
    expect((await call(`/api/messages-for-child?centre=${A}`)).json.messages).toEqual([]);
    const delivered = (await call(`/api/messages-for-child?centre=${A}&status=delivered`)).json.messages;
    expect(delivered[0]).toMatchObject({ id, status: 'delivered', delivered: { by: 'coord-a' } });
  });
});

describe('the coordinators API: results', () => {
  it('exports one CSV row per child per week, with a completed and a missed week, escaped, with a BOM (lang=en)', async () => {
    const res = await call(`/api/checkins/export.csv?centre=${A}&from=${LAST_WEEK}&to=${WEEK}&lang=en`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('attachment');
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const lines = res.text.slice(1).split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe(
      'Week,Centre,Village,Family,Family id,Child id,Child,Category,Status,Completed at,Missed at,Attendance,Mood,School,Health,Talked with parents,Messages',
    );
    // The children of A (none of B's), 2 weeks; the message's quote and newline are escaped inside one record.
    const body = res.text.slice(1);
    expect(body).not.toContain('child-wuxiao');
    const records = body.split(/\r\n(?=\d{4}-W\d{2},)/);
    // Times in the centre's local time (Asia/Shanghai).
    const missed = records.find((r) => r.startsWith(`${LAST_WEEK},`) && r.includes('child-xiaoming'));
    expect(missed).toBe(
      `${LAST_WEEK},石门村儿童之家,石门村,李家,family-li,child-xiaoming,小明,Both parents away,Missed,,2026-11-29 20:00,,,,,,`,
    );
    const completed = records.find((r) => r.startsWith(`${WEEK},`) && r.includes('child-xiaoming')) ?? '';
    expect(completed).toMatch(
      new RegExp(
        `^${WEEK},石门村儿童之家,石门村,李家,family-li,child-xiaoming,小明,Both parents away,Completed,2026-12-05 10:00,,3,4,1,1,1,`,
      ),
    );
    expect(completed.endsWith(',"他说, ""想妈妈""\n周末见"')).toBe(true);
    const xiaohong = records.find((r) => r.startsWith(`${WEEK},`) && r.includes('child-xiaohong'));
    expect(xiaohong).toMatch(/,Completed,[^,]+,,5,1,2,1,2,$/);
    const none = records.find((r) => r.startsWith(`${LAST_WEEK},`) && r.includes('child-lele'));
    expect(none).toContain(',None,,,');
  });

  it('in Chinese by default, through the family links: a family with no contact yet is in it; history=1 adds the answers given', async () => {
    const roster = new RosterRepository({ client: table.client, tableName: table.tableName });
    // In centre B, so that centre A's figures (the summary test) are the same whichever runs first.
    await roster.putFamily({
      familyId: 'family-export-new',
      centreId: B,
      name: '新来的家',
      children: [{ childId: 'child-export-new', name: '新新', birthYear: 2018, category: 'one-away' }],
    });
    const inB = await call(`/api/checkins/export.csv?centre=${B}&from=${WEEK}&to=${WEEK}`, { token: tokenB });
    expect(inB.status).toBe(200);
    const fresh = inB.text.split(/\r\n/).find((r) => r.includes('child-export-new'));
    expect(fresh).toBe(
      `${WEEK},河口村儿童之家,河口村,新来的家,family-export-new,child-export-new,新新,父母一方外出,无,,,,,,,,`,
    );
    const res = await call(`/api/checkins/export.csv?centre=${A}&from=${WEEK}&to=${WEEK}&history=1`);
    expect(res.status).toBe(200);
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const [header, ...rest] = res.text.slice(1).split(/\r\n(?=\d{4}-W\d{2},|$)/);
    expect(header).toBe(
      '周,中心,村,家庭,家庭编号,儿童编号,儿童,类别,状态,完成时间,错过时间,出勤,心情,学习,健康,与父母联系,留言,回答记录',
    );
    const xiaoming = rest.find((r) => r.includes('child-xiaoming')) ?? '';
    expect(xiaoming).toContain(',已完成,2026-12-05 10:00,');
    // The history column: each answer as it was typed, at its local time.
    expect(xiaoming).toMatch(/"2026-12-05 10:00 出勤: 3\n/);
  });

  it('an export larger than a response can carry is written to a file, and a short-lived link comes back', async () => {
    const files: { name: string; body: string }[] = [];
    const small = createCoordinatorApiHandler(
      createCoordinatorApiOptions(settings, {
        ...apiDeps,
        exportInlineBytes: 200,
        exportFiles: {
          put: async (name, body, now) => {
            files.push({ name, body });
            return {
              url: `https://files.example.org/${name}`,
              expiresAt: new Date(now.getTime() + 900_000).toISOString(),
            };
          },
        },
      }),
    );
    const result = await invokeApi(
      small,
      `/api/checkins/export.csv?centre=${A}&from=${LAST_WEEK}&to=${WEEK}`,
      {
        method: 'GET',
        headers: { authorization: `Bearer ${tokenA}` },
      },
    );
    expect(result.statusCode).toBe(200);
    const link = JSON.parse(result.body ?? '{}');
    expect(link).toEqual({
      url: `https://files.example.org/checkins-${A}-${LAST_WEEK}-${WEEK}.csv`,
      // 15 minutes from the API's clock, wherever another test of this file left it.
      expiresAt: new Date(clock.now().getTime() + 900_000).toISOString(),
      bytes: Buffer.byteLength(files[0]?.body ?? '', 'utf8'),
    });
    expect(files[0]?.body.startsWith('\uFEFF周,')).toBe(true);
    expect(files[0]?.body).toContain('child-xiaoming');
    // Without somewhere to put it, it is refused with a reason rather than cut short.
    const refused = createCoordinatorApiHandler(
      createCoordinatorApiOptions(settings, { ...apiDeps, exportInlineBytes: 200, exportFiles: undefined }),
    );
    const tooLarge = await invokeApi(
      refused,
      `/api/checkins/export.csv?centre=${A}&from=${LAST_WEEK}&to=${WEEK}`,
      {
        method: 'GET',
        headers: { authorization: `Bearer ${tokenA}` },
      },
    );
    expect(tooLarge.statusCode).toBe(413);
  });

  it('summarises the response rate per week per centre and category, and the answer distributions', async () => {
    const res = await call(`/api/checkins/summary?centre=${A}&from=${LAST_WEEK}&to=${WEEK}`);
    expect(res.status).toBe(200);
    const weeks = res.json.weeks as {
      week: string;
      centre: Record<string, number | null>;
      categories: Record<string, Record<string, unknown>>;
    }[];
    expect(weeks.map((w) => w.week)).toEqual([LAST_WEEK, WEEK]);
    // Computed by hand: A has 4 children (小明, 小红 both-away; 张伟 one-away; Lele with-parents).
    // W48: 小明 missed, nobody completed. W49: 小明 and 小红 completed, the other two have no check-in.
    const [w48, w49] = weeks;
    expect(w48?.centre).toEqual({
      children: 4,
      completed: 0,
      missed: 1,
      inProgress: 0,
      none: 3,
      responseRate: 0,
    });
    expect(w49?.centre).toEqual({
      children: 4,
      completed: 2,
      missed: 0,
      inProgress: 0,
      none: 2,
      responseRate: 0.5,
    });
    expect(w49?.categories['both-away']).toEqual({
      children: 2,
      completed: 2,
      missed: 0,
      inProgress: 0,
      none: 0,
      responseRate: 1,
      distributions: { mood: { '4': 1, '1': 1 }, school: { '1': 1, '2': 1 }, health: { '1': 2 } },
    });
    expect(w49?.categories['one-away']).toMatchObject({ children: 1, completed: 0, responseRate: 0 });
    expect(w48?.categories['both-away']).toMatchObject({ children: 2, missed: 1, none: 1, responseRate: 0 });
    expect(w48?.categories['with-parents']?.distributions).toEqual({ mood: {}, school: {}, health: {} });
  });
});

describe('the coordinators API: input', () => {
  it('answers 400 listing the fields that failed', async () => {
    const cases: [Promise<Awaited<ReturnType<typeof call>>>, string[]][] = [
      [call('/api/tasks'), ['query.centre']],
      [call(`/api/tasks?centre=${A}&status=maybe`), ['query.status']],
      [call('/api/tasks?centre=../etc'), ['query.centre']],
      [call(`/api/checkins/summary?centre=${A}&from=2026-12-01&to=2026-W60`), ['query.from', 'query.to']],
      [call(`/api/checkins/export.csv?centre=${A}&from=${WEEK}&to=${LAST_WEEK}`), ['query.to']],
      [call(`/api/checkins/export.csv?centre=${A}&from=2020-W01&to=${WEEK}`), ['query.to']],
      [post(`/api/tasks/${encodeRef('alert', A, 'x')}/acknowledge`, {}), ['body.note']],
      [post(`/api/tasks/${encodeRef('alert', A, 'x')}/close`, { note: '  ' }), ['body.note']],
      [post(`/api/tasks/${encodeRef('alert', A, 'x')}/close`, { note: 'ok', extra: 1 }), ['body']],
      [post(`/api/tasks/${encodeRef('alert', A, 'x')}/close`, 'not json'), ['body']],
    ];
    for (const [request, fields] of cases) {
      const res = await request;
      expect(res.status, fields.join()).toBe(400);
      expect((res.json.fields as { field: string }[]).map((f) => f.field).sort(), fields.join()).toEqual(
        fields,
      );
    }
  });

  it('answers 413 to a body over the limit, and 405 to a wrong method', async () => {
    const res = await post(`/api/tasks/${encodeRef('alert', A, 'x')}/close`, { note: 'x'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ error: 'request body too large' });
    expect((await call('/api/tasks', { method: 'POST', body: '{}' })).status).toBe(405);
  });

  it('serves an OpenAPI 3.1 document generated from the schemas', async () => {
    const res = await call('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe('3.1.0');
    expect(Object.keys(res.json.paths).sort()).toEqual([
      '/api/activities',
      '/api/activities/remove',
      '/api/broadcasts',
      '/api/broadcasts/preview',
      '/api/broadcasts/{id}',
      '/api/broadcasts/{id}/approve',
      '/api/broadcasts/{id}/cancel',
      '/api/centres',
      '/api/centres/{id}',
      '/api/checkins/export.csv',
      '/api/checkins/summary',
      '/api/children/{id}/checkins',
      '/api/contacts',
      '/api/contacts/{id}',
      '/api/contacts/{id}/erase',
      '/api/contacts/{id}/gb-pin',
      '/api/contacts/{id}/link-code',
      '/api/coordinators',
      '/api/coordinators/{id}/centres',
      '/api/dashboard',
      '/api/families',
      '/api/families/{id}',
      '/api/families/{id}/erase',
      '/api/inbound/unprocessed',
      '/api/jobs',
      '/api/jobs/{id}',
      '/api/messages-for-child',
      '/api/messages-for-child/{id}/delivered',
      '/api/openapi.json',
      '/api/pause-weeks',
      '/api/pause-weeks/resume',
      '/api/roster/import',
      '/api/tasks',
      '/api/tasks/{id}/acknowledge',
      '/api/tasks/{id}/close',
    ]);
    const list = res.json.paths['/api/tasks'].get;
    expect(list.parameters.map((p: { name: string; required: boolean }) => [p.name, p.required])).toEqual([
      ['centre', true],
      ['status', false],
    ]);
    expect(
      res.json.paths['/api/tasks/{id}/close'].post.requestBody.content['application/json'].schema,
    ).toMatchObject({
      type: 'object',
      required: ['note'],
    });
  });
});

describe('the coordinators API: logs', () => {
  it('masks phone numbers, even in a failure that names one', async () => {
    const logger = createLogger('coordinator-api');
    logger.setLogLevel('INFO');
    const deps = createCoordinatorApiDependencies(config, logger, {
      client: table.client,
      clock,
      queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
    });
    deps.work.listAlerts = async () => {
      throw new Error(`lookup failed for ${GRANDMOTHER}`);
    };
    const failing = createCoordinatorApiHandler(createCoordinatorApiOptions(settings, deps));
    const saved = api;
    api = failing;
    try {
      const res = await call(`/api/tasks?centre=${A}`);
      expect(res.status).toBe(500);
      expect(res.json.error).toMatch(/^internal error \(request .+\)$/);
      expect(res.text).not.toContain(GRANDMOTHER);
    } finally {
      api = saved;
    }
    const logs = logLines.join('');
    expect(logs).toContain('api request failed');
    expect(logs).toContain('+86138****0001');
    for (const phone of [GRANDMOTHER, B_CARER, PARENT, '13800000001']) expect(logs).not.toContain(phone);
  });
});
