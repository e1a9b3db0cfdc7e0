// End to end over the local server's HTTP (signed Twilio webhooks, `npm start` as a child process): a
// carer's answer raises an alert; the coordinator's phone gets it with its reference and the carer's
// number; 收到 A1 acknowledges it; a day on, the escalation does not fire; 完成 A1 已家访 closes it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  freePort,
  type LocalServerProcess,
  outboxWhen,
  phone,
  startLocalServerProcess,
  stopLocalServerProcess,
} from '#tests/support/local-server-process.ts';

const LI_NAINAI = '+8613800000001';
const WANG_LAOSHI = '+8613700000001';
const HOUR = 3_600_000;

describe('a coordinator handles an alert by text message alone', () => {
  let server: LocalServerProcess;

  beforeAll(async () => {
    server = await startLocalServerProcess({
      port: await freePort(),
      tableName: `e2e-${randomUUID()}`,
      dynamodbEndpoint: inject('dynamodbEndpoint'),
    });
  });

  afterAll(async () => {
    if (server) expect(await stopLocalServerProcess(server)).toEqual({ code: 0, signal: null });
  });

  it('receives the alert with A1 and the carer’s number, acknowledges it, is not escalated, closes it with a note', async () => {
    const grandmother = phone(server.port, LI_NAINAI);
    const wang = phone(server.port, WANG_LAOSHI);
    await grandmother('签到');
    await grandmother('3');
    expect(await grandmother('4')).toEqual([expect.stringContaining('小明这周上学怎么样')]); // very sad: an alert

    const alert = (await outboxWhen(server.port, (ms) => ms.some((m) => m.to === WANG_LAOSHI))).filter(
      (m) => m.to === WANG_LAOSHI,
    );
    expect(alert.map((m) => m.body)).toEqual([
      '【连心】关注提醒A1：李奶奶签到说小明这周很难过。照顾者电话+8613800000001。请尽快联系，回复“收到 A1”确认。',
    ]);

    expect(await wang('收到 A1')).toEqual([
      expect.stringMatching(/^【连心】已确认A1，不再升级提醒。处理完请回复“完成 A1 备注”。/),
    ]);

    // A day and more on, the scheduler tick finds the alert acknowledged: no escalation is enqueued.
    const later = new Date(Date.now() + 25 * HOUR).toISOString();
    const tick = await fetch(`http://localhost:${server.port}/dev/tick?at=${encodeURIComponent(later)}`, {
      method: 'POST',
    });
    expect(tick.status).toBe(200);
    const { report } = (await tick.json()) as {
      report: { enqueued: Record<string, number>; failed: number };
    };
    expect(report.failed).toBe(0);
    expect(report.enqueued.alert ?? 0).toBe(0);
    expect((await wang('A1 ?'))[0]).toContain('状态：已确认，未完成');

    expect(await wang('完成 A1 已家访')).toEqual(['【连心】A1已完成，备注：已家访。']);
    expect((await wang('A1 ?'))[0]).toContain('状态：已完成（已家访）');

    // The coordinators' API shows it closed, by the coordinator, with the note.
    const token = /token of 王老师 \(centre-shimen, 7 days\):\n\s+(\S+)/.exec(server.banner)?.[1] ?? '';
    const tasks = await fetch(`http://localhost:${server.port}/api/tasks?centre=centre-shimen&status=all`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { tasks: list } = (await tasks.json()) as {
      tasks: { kind: string; ref?: string; status: string; closed: { by: string; note?: string } | null }[];
    };
    expect(list.find((t) => t.ref === 'A1')).toMatchObject({
      kind: 'alert',
      status: 'closed',
      closed: { by: 'contact-wang-laoshi', note: '已家访' },
    });
  });
});
