// Black box, over the local server's real HTTP (issue 16): a carer's STOP survives a re-import of the
// same roster CSV and an edit in the coordinators' API, and the tick sends her nothing; an erased
// family cannot be imported again under the same id; a correction keeps both free texts, in the
// history the API shows and in the export.
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import {
  bannerToken,
  type LocalServerProcess,
  phone,
  startLocalServerProcess,
  stopLocalServerProcess,
} from '#tests/support/local-server-process.ts';

const CENTRE = 'centre-shimen';
const HEADER = 'family,child,birth_year,category,consent,contact,role,phone,language';
// One server for the file (starting it takes long), so each test brings its own families and
// numbers: what one test stops, edits or erases is nothing another test imports or reads.
const STOPPED = '+8613812345601';
const STILL_IN = '+8613812345602';
const ROSTER_CSV = [
  HEADER,
  `周家,周小宝,2016,both-away,mood,周奶奶,carer,${STOPPED},zh-CN`,
  `吴家,吴小丫,2017,one-away,,吴爷爷,carer,${STILL_IN},zh-CN`,
].join('\n');
const KEPT = '+8613812345603';
const TO_ERASE = '+8613812345604';
const ERASURE_CSV = [
  HEADER,
  `郑家,郑小龙,2015,both-away,mood,郑奶奶,carer,${KEPT},zh-CN`,
  `冯家,冯小燕,2018,one-away,,冯爷爷,carer,${TO_ERASE},zh-CN`,
].join('\n');

const CORRECTS = '+8613812345605';
const CORRECTION_CSV = [HEADER, `陈家,陈小乐,2016,both-away,mood,陈奶奶,carer,${CORRECTS},zh-CN`].join('\n');
const FIRST_TEXT = '小乐这周咳嗽，想妈妈';
const SECOND_TEXT = '补充：小乐的咳嗽好了';

describe('over the local server: what a person said stays said', () => {
  const endpoint = inject('dynamodbEndpoint');
  const tableName = `e2e-${randomUUID()}`;
  const client = createDocumentClient({ region: 'local', endpoint });
  let server: LocalServerProcess;
  let token: string;

  const api = async (path: string, init: { method?: string; body?: string; type?: string } = {}) => {
    const response = await fetch(`http://localhost:${server.port}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': init.type ?? 'application/json' },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {}
    // biome-ignore lint/suspicious/noExplicitAny: reads of JSON responses
    return { status: response.status, json: json as any };
  };
  const importCsv = (csv = ROSTER_CSV) =>
    api(`/api/roster/import?centre=${CENTRE}`, { method: 'POST', body: csv, type: 'text/csv' });
  const contactByPhone = async (phone: string) => {
    const { json } = await api(`/api/contacts?centre=${CENTRE}`);
    const found = (json.contacts as { addresses: { address: string }[] }[]).find((c) =>
      c.addresses.some((a) => a.address === phone),
    );
    // biome-ignore lint/suspicious/noExplicitAny: a contact view
    return found as any;
  };
  /** Messages lianxin started (not replies) to this number, as stored. */
  const startedTo = async (phone: string) => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await client.send(
        new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items.filter((i) => i.entity === 'outbound' && i.address === phone && i.kind !== 'reply');
  };

  beforeAll(async () => {
    server = await startLocalServerProcess({ tableName, dynamodbEndpoint: endpoint });
    token = bannerToken(server.banner, CENTRE);
  });

  afterAll(async () => {
    client.destroy();
    if (server) expect(await stopLocalServerProcess(server)).toEqual({ code: 0, signal: null });
  });

  it('STOP, then the same roster CSV again and an edit in the API: still opted out, and the tick sends her nothing', async () => {
    expect((await importCsv()).status).toBe(200);
    const before = await contactByPhone(STOPPED);
    expect(before.optedOut).toBe(false);

    const replies = await phone(server.port, STOPPED)('TD');
    expect(replies).toHaveLength(1);

    const again = await importCsv();
    expect(again.status).toBe(200);
    expect(again.json.written).toBe(true);
    expect(again.json.notices).toEqual([{ line: 2, notice: expect.stringContaining('stays opted out') }]);

    // The coordinator edits her with the version read before the STOP: refused, nothing changed.
    const stale = await api(`/api/contacts/${before.id}`, {
      method: 'POST',
      body: JSON.stringify({ relationship: '奶奶', version: before.version }),
    });
    expect(stale.status).toBe(409);
    // Read again and edited: written, and still opted out.
    const fresh = await contactByPhone(STOPPED);
    const edited = await api(`/api/contacts/${fresh.id}`, {
      method: 'POST',
      body: JSON.stringify({ name: '周奶奶', relationship: '奶奶', version: fresh.version }),
    });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ optedOut: true, relationship: '奶奶' });
    expect(edited.json.optedOutAt).toEqual(expect.any(String));

    // Next Saturday 10:00 (Shanghai) and the one after: invitations go to the one still in, none to her.
    const local = new Date(Date.now() + 8 * 3_600_000);
    local.setUTCDate(local.getUTCDate() + ((6 - local.getUTCDay() + 7) % 7 || 7));
    for (const weeks of [0, 1]) {
      const day = new Date(local.getTime() + weeks * 7 * 86_400_000).toISOString().slice(0, 10);
      const tick = await fetch(
        `http://localhost:${server.port}/dev/tick?at=${encodeURIComponent(`${day}T10:00:00+08:00`)}`,
        { method: 'POST' },
      );
      expect(tick.status).toBe(200);
    }
    expect((await startedTo(STILL_IN)).length).toBeGreaterThan(0);
    expect(await startedTo(STOPPED)).toEqual([]);
    expect((await contactByPhone(STOPPED)).optedOut).toBe(true);
  });

  it('a family erased on request cannot be imported again under the same id', async () => {
    expect((await importCsv(ERASURE_CSV)).status).toBe(200);
    const contact = await contactByPhone(TO_ERASE);
    const familyRef = contact.families[0] as string;
    const erased = await api(`/api/families/${familyRef}/erase`, { method: 'POST', body: '{}' });
    // Accepted as a job; a family this small is erased by the steps the request runs itself.
    expect(erased.status).toBe(202);
    expect(erased.json).toMatchObject({ kind: 'erase-family', status: 'done' });
    expect((await api(`/api/jobs/${erased.json.id}`)).json).toMatchObject({ status: 'done' });
    expect((await api(`/api/families/${familyRef}`)).status).toBe(404);

    const again = await importCsv(ERASURE_CSV);
    expect(again.status).toBe(422);
    expect(again.json.written).toBe(false);
    expect(again.json.lines[1]).toEqual({
      line: 3,
      status: 'invalid',
      reasons: expect.arrayContaining(['family: erased on request, cannot be recreated']),
    });
    expect(await contactByPhone(TO_ERASE)).toBeUndefined();
    expect(await contactByPhone(KEPT)).toBeDefined();
  });

  it('a check-in with a free text, 签到 again and a correction: both free texts in the history and the export', async () => {
    expect((await importCsv(CORRECTION_CSV)).status).toBe(200);
    const say = phone(server.port, CORRECTS);
    // attendance, mood, school, health, whether the parents called, the message for the Centre.
    for (const answer of ['签到', '3', '1', '1', '1', '1', FIRST_TEXT]) await say(answer);
    expect((await say('签到')).join('\n')).toContain('回复1修改答案');
    for (const answer of ['１', '5', '2', '1', '1', '1', SECOND_TEXT]) await say(answer);

    const contact = await contactByPhone(CORRECTS);
    const family = await api(`/api/families/${contact.families[0]}`);
    expect(family.status).toBe(200);
    const childId = family.json.children[0].id as string;
    const history = await api(
      `/api/children/${encodeURIComponent(childId)}/checkins?centre=${CENTRE}&history=1`,
    );
    expect(history.status).toBe(200);
    expect(history.json.checkins).toHaveLength(1);
    const [week] = history.json.checkins;
    expect(week.answers).toMatchObject({ attendance: 5, mood: 2, message: SECOND_TEXT });
    expect(week.runs.map((r: { correction: boolean }) => r.correction)).toEqual([false, true]);
    expect(week.runs[0].answers.find((a: { item: string }) => a.item === 'attendance').value).toBe(3);
    expect(week.messages.map((m: { text: string }) => m.text)).toEqual([FIRST_TEXT, SECOND_TEXT]);

    const exported = await api(`/api/checkins/export.csv?centre=${CENTRE}&from=${week.week}&to=${week.week}`);
    expect(exported.status).toBe(200);
    const csv = typeof exported.json === 'string' ? exported.json : JSON.stringify(exported.json);
    expect(csv).toContain(FIRST_TEXT);
    expect(csv).toContain(SECOND_TEXT);
  });
});
