// End to end: `npm start` (lib/local/start.ts) as a child process, a carer texting it over real
// HTTP with signed Twilio requests, and the proof that stopping it leaves no Java behind.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DEMO_ROSTER } from '#lib/local/demo/demo-roster.ts';
import { newMessageSid } from '#lib/local/twilio-inbound-request.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';
import {
  freePort,
  outbox,
  phone,
  type RunningServer,
  running,
  startServer,
  stopServer,
} from '#tests/support/local-server-process.ts';
import { isProcessAlive, waitFor } from '#tests/support/processes.ts';

const GRANDMOTHER = '+8613800000001';
const ZHANG_NAINAI = '+8613800000002';
const COORDINATOR = '+8613700000001';
const COORDINATOR_ID = 'contact-wang-laoshi';
const BANNER_WAIT_MS = 90_000;

/** Pids of DynamoDB Local Java processes listening on this port. */
function javaPids(dynamoPort: number): number[] {
  try {
    return execFileSync('pgrep', ['-f', `DynamoDBLocal.jar.*-port ${dynamoPort}( |$)`], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function childId(name: string): string {
  const child = DEMO_ROSTER.families.flatMap((f) => f.children).find((c) => c.name === name);
  if (!child) throw new Error(`no demo child named ${name}`);
  return child.childId;
}

afterAll(async () => {
  // Only if a test failed half-way: nothing this file started may outlive it.
  for (const child of running) child.kill('SIGKILL');
});

describe('npm start on the shared DynamoDB Local', () => {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `e2e-${randomUUID()}`;
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ port: await freePort(), tableName, dynamodbEndpoint: endpoint });
  }, BANNER_WAIT_MS);

  afterAll(async () => {
    if (!server) return;
    const exit = await stopServer(server);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(isProcessAlive(server.child.pid ?? -1)).toBe(false);
  });

  it('walks the grandmother through a full check-in in Chinese, with one alert and everything stored', async () => {
    expect(server.banner).toContain(`table ${tableName}`);
    const text = phone(server.port, GRANDMOTHER);
    const message = '小明这周很乖，想爸爸了';

    const expectOneReply = async (body: string, ...expected: string[]) => {
      const replies = await text(body);
      expect(replies, `reply to ${JSON.stringify(body)}`).toHaveLength(1);
      const reply = replies[0] ?? '';
      expect(reply.startsWith('【连心】'), reply).toBe(true);
      expect(reply, `reply to ${JSON.stringify(body)}`).not.toContain('没看懂');
      for (const part of expected) expect(reply, `reply to ${JSON.stringify(body)}`).toContain(part);
      return reply;
    };

    const first = await expectOneReply('签到', '先说说小明', '本周小明去了儿童之家几天');
    expect(first).toContain('回复TD退订'); // the first message of the week says how to stop
    await expectOneReply('3', '小明这周心情怎么样');
    await expectOneReply('１', '小明这周上学怎么样');
    await expectOneReply('一', '小明身体怎么样');
    await expectOneReply('1个', '小明这周和爸爸妈妈联系了吗');
    await expectOneReply('是', '有什么想告诉');
    await expectOneReply(message, '再说说小红', '本周小红去了儿童之家几天');
    await expectOneReply(' 2 ', '小红这周心情怎么样');

    // Twilio retries a webhook: the same signed request twice gets the same reply and counts once.
    const sid = newMessageSid();
    const once = await text('4', sid);
    const twice = await text('4', sid);
    expect(once).toHaveLength(1);
    expect(once[0]).toContain('小红这周上学怎么样');
    expect(twice).toEqual(once);

    await expectOneReply('1', '小红身体怎么样'); // the retry did not move the check-in on
    await expectOneReply('1', '小红这周和爸爸妈妈联系了吗');
    await expectOneReply('否', '有什么想告诉');
    const last = await expectOneReply('0', '本周签到完成');
    expect(last).not.toContain('小明');

    const client = createDocumentClient({ region: 'local', endpoint });
    try {
      // The week is the server's (its clock, not this test's, decides it): each child has one check-in.
      const checkins = new CheckinRepository({ client, tableName });
      const [xiaoming, ...moreXiaoming] = await checkins.listCheckins(childId('小明'));
      const [xiaohong, ...moreXiaohong] = await checkins.listCheckins(childId('小红'));
      expect([moreXiaoming, moreXiaohong]).toEqual([[], []]);
      expect(xiaoming?.status).toBe('completed');
      expect(xiaohong?.status).toBe('completed');
      expect(xiaohong?.week).toBe(xiaoming?.week);

      // The alert goes through the send queue, which the local worker drains: wait until its one
      // message is sent (a sent message is never claimed again), then count what reached the outbox.
      // Another test's alert may reach the same coordinator: only the one about 小红 counts here.
      const outbound = new DynamoOutboundRepository({ client, tableName, messageLogTtlDays: 1 });
      const alertKey = `alert#${childId('小红')}#${xiaohong?.week}#mood#${COORDINATOR_ID}`;
      await vi.waitFor(async () => expect((await outbound.get(alertKey))?.status).toBe('sent'), {
        timeout: 10_000,
        interval: 100,
      });
      const sent = (await outbox(server.port)).filter((m) => m.to === COORDINATOR && m.body.includes('小红'));
      expect(sent).toHaveLength(1);
      expect(sent[0]?.body).toContain('很难过');

      const values = (record: typeof xiaoming) =>
        Object.fromEntries(Object.entries(record?.answers ?? {}).map(([item, a]) => [item, a.value]));
      expect(values(xiaoming)).toEqual({
        attendance: 3,
        mood: 1,
        school: 1,
        health: 1,
        'parent-contact': 1,
        message,
      });
      expect(xiaoming?.answers.message).toMatchObject({ status: 'answered', raw: message });
      expect(xiaoming?.answers.attendance?.raw).toBe('3');
      expect(xiaohong?.answers).toMatchObject({
        attendance: { status: 'answered', value: 2 },
        mood: { status: 'answered', value: 4 },
        school: { status: 'answered', value: 1 },
        health: { status: 'answered', value: 1 },
        'parent-contact': { status: 'answered', value: 2 },
        message: { status: 'skipped' },
      });
      expect(xiaohong?.answers.message?.value).toBeUndefined();
    } finally {
      client.destroy();
    }
  });

  it("serves the coordinators' API under /api with the token the banner prints", async () => {
    const token = /token of 王老师 \(centre-shimen, 7 days\):\n\s+(\S+)/.exec(server.banner)?.[1];
    expect(token).toMatch(/^ey/);
    const api = (path: string, headers: Record<string, string> = {}) =>
      fetch(`http://localhost:${server.port}${path}`, { headers });
    expect((await api('/api/tasks?centre=centre-shimen')).status).toBe(401);
    const auth = { authorization: `Bearer ${token}` };
    // Its own very sad answer (张奶奶 about 张伟), so the API has an alert to show whatever ran before.
    const text = phone(server.port, ZHANG_NAINAI);
    for (const body of ['签到', '3', '4']) expect(await text(body)).toHaveLength(1);
    const tasks = await api('/api/tasks?centre=centre-shimen', auth);
    expect(tasks.status).toBe(200);
    type Task = { kind: string; status: string; alert?: { childId: string; week: string } };
    const { tasks: list } = (await tasks.json()) as { tasks: Task[] };
    const alert = list.find((t) => t.kind === 'alert' && t.alert?.childId === 'child-zhangwei');
    expect(alert).toMatchObject({ status: 'open', alert: { itemId: 'mood', value: 4 } });
    expect((await api('/api/tasks?centre=centre-other', auth)).status).toBe(404);
    // The week of that alert is the server's week (its clock, not this test's).
    const week = alert?.alert?.week;
    expect(week).toMatch(/^\d{4}-W\d{2}$/);
    const csv = await api(`/api/checkins/export.csv?centre=centre-shimen&from=${week}&to=${week}`, auth);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(new Uint8Array(await csv.arrayBuffer()).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
  });
});

describe('npm start runs the weekly rhythm', () => {
  const endpoint = inject('dynamodbEndpoint');
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({
      port: await freePort(),
      tableName: `e2e-${randomUUID()}`,
      dynamodbEndpoint: endpoint,
    });
  }, BANNER_WAIT_MS);

  afterAll(async () => {
    if (server) expect(await stopServer(server)).toEqual({ code: 0, signal: null });
  });

  it('POST /dev/tick?at=… (npm run tick) moves time to a Saturday: the invitation comes, and is answered directly', async () => {
    expect(server.banner).toContain('npm run tick -- --at');
    // A Saturday three weeks ahead, so that this week's state does not matter.
    const now = new Date();
    const local = new Date(now.getTime() + 8 * 3_600_000);
    local.setUTCDate(local.getUTCDate() + ((6 - local.getUTCDay() + 7) % 7) + 21);
    const saturday = `${local.toISOString().slice(0, 10)}T10:00:00+08:00`;
    const response = await fetch(
      `http://localhost:${server.port}/dev/tick?at=${encodeURIComponent(saturday)}`,
      { method: 'POST' },
    );
    expect(response.status).toBe(200);
    const { now: moved, report } = (await response.json()) as {
      now: string;
      report: { enqueued: Record<string, number>; failed: number };
    };
    expect(Date.parse(moved) - Date.parse(saturday)).toBeLessThan(60_000);
    expect(report.failed).toBe(0);
    expect(report.enqueued.invitation).toBeGreaterThanOrEqual(3);

    // The send worker delivers it from the queue: wait for it to reach the outbox.
    await vi.waitFor(
      async () => {
        const invitations = (await outbox(server.port)).filter(
          (m) => m.to === GRANDMOTHER && m.body.includes('本周签到'),
        );
        expect(invitations.map((m) => m.body)).toEqual([
          '【连心】李奶奶您好！本周签到：先说说小明。本周小明去了儿童之家几天？回复0-7。回复TD退订',
        ]);
      },
      { timeout: 10_000, interval: 100 },
    );
    // Her answer lands on the moved week, as the first question's.
    expect(await phone(server.port, GRANDMOTHER)('3')).toEqual([
      '【连心】好的。小明这周心情怎么样？1很开心 2还好 3不太开心 4很难过',
    ]);
    const bad = await fetch(`http://localhost:${server.port}/dev/tick?at=someday`, { method: 'POST' });
    expect(bad.status).toBe(400);
  });
});

// Each test starts the server and its own Java process (twice for --data): bounds to match.
describe('npm start with its own DynamoDB Local', { timeout: 3 * BANNER_WAIT_MS }, () => {
  it('SIGTERM stops the server and its Java process', async () => {
    const server = await startServer({ port: await freePort(), tableName: `e2e-${randomUUID()}` });
    expect(server.banner).toContain('(in memory)');
    const dynamoPort = server.dynamoPort ?? Number.NaN;
    expect(Number.isInteger(dynamoPort)).toBe(true);
    const java = javaPids(dynamoPort);
    expect(java).toHaveLength(1);
    const javaPid = java[0] ?? -1;
    expect(isProcessAlive(javaPid)).toBe(true);

    const exit = await stopServer(server);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await waitFor(() => !isProcessAlive(javaPid), 5_000)).toBe(true);
    expect(javaPids(dynamoPort)).toEqual([]);
  });

  it('--data DIR keeps an opt-out across restarts and does not re-seed the roster', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lianxin-e2e-'));
    const tableName = `e2e-${randomUUID()}`;
    try {
      const first = await startServer({ port: await freePort(), tableName, args: ['--data', dir] });
      expect(first.banner).toContain(`(data in ${dir})`);
      expect(first.banner).toContain('demo roster        seeded');
      const optOut = await phone(first.port, ZHANG_NAINAI)('TD');
      expect(optOut).toHaveLength(1);
      expect(optOut[0]).toContain('您已退订');
      expect(await stopServer(first)).toEqual({ code: 0, signal: null });
      expect(javaPids(first.dynamoPort ?? Number.NaN)).toEqual([]);

      const second = await startServer({ port: await freePort(), tableName, args: ['--data', dir] });
      expect(second.banner).toContain('demo roster        already present');
      expect(await phone(second.port, ZHANG_NAINAI)('hello')).toEqual([]);
      expect(await stopServer(second)).toEqual({ code: 0, signal: null });
      expect(javaPids(second.dynamoPort ?? Number.NaN)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
