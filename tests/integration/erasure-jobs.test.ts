// Erasure on request as a job, on DynamoDB Local through the real API handler (the coordinator API's
// synthesized role enforced on its client): 202 with a job id, the steps run one at a time, progress
// at GET /api/jobs/{id}, and then the whole table read back: nothing of the family is left but its
// tombstones and the audit entry, which hold no name, number or id. A step that fails half-way and is
// retried erases everything once; the scheduler tick carries on a job the request left.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { encodeRef } from '#lib/api/coordinator-api.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { type ApiSettings, apiSettings } from '#lib/config/api.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { ErasureJobs } from '#lib/jobs/erasure-jobs.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { runSchedulerTick } from '#lib/schedule/scheduler-tick.ts';
import { JobRepository } from '#lib/store/jobs/job-repository.ts';
import { LinkCodeRepository } from '#lib/store/roster/link-code-repository.ts';
import { RosterErasure } from '#lib/store/roster/roster-erasure.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { createSchedulerDependencies } from '#lib/wiring/scheduler-tick.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { CENTRE_A } from '#tests/support/second-centre.ts';
import { texting } from '#tests/support/sms-webhook.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const A = CENTRE_A;
const STEP_ITEMS = 4;

let clock: ManualClock;
let table: TestTable;
let config: Config;
let settings: ApiSettings;
let roster: RosterRepository;
let token: string;

beforeEach(async () => {
  // Saturday 10:00 in Shanghai, ISO week 2026-W49.
  clock = new ManualClock('2026-12-05T02:00:00Z');
  table = await createTestTable();
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  settings = apiSettings(config, {});
  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  token = await issueLocalToken(settings.auth.signingKey, { subject: 'coord-a', centres: [A] });
  roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  // The demo Centre and its coordinator (who gets the alerts about the children).
  await seedDemoRoster(roster);
});

/** A family of this test: one child, a carer who checks in, a parent with a message and an update. */
async function seedFamily(n: number) {
  const ids = {
    family: `fam-erase-${n}`,
    child: `chd-erase-${n}`,
    childName: `小${'甲乙丙'[n] ?? n}`,
    familyName: `测试${n}家`,
    carer: `con-erase-${n}-carer`,
    parent: `con-erase-${n}-parent`,
    carerPhone: `+861370001${String(n).padStart(3, '0')}0`,
    parentPhone: `+861370001${String(n).padStart(3, '0')}1`,
  };
  await roster.putFamily({
    familyId: ids.family,
    centreId: A,
    name: ids.familyName,
    children: [
      {
        childId: ids.child,
        name: ids.childName,
        birthYear: 2016,
        category: 'both-away',
        consent: { attendance: true, mood: true, school: true, health: true },
      },
    ],
  });
  for (const [contactId, role, phone, name] of [
    [ids.carer, 'carer', ids.carerPhone, `奶奶${n}`],
    [ids.parent, 'parent', ids.parentPhone, `爸爸${n}`],
  ] as const) {
    await roster.putContact({
      contactId,
      centreId: A,
      name,
      role,
      language: 'zh-CN',
      addresses: [{ channel: 'sms', address: phone }],
      familyIds: [ids.family],
    });
  }
  const harness = outboundHarness(config, table, clock, localOutbox);
  const say = texting(config, harness.adapters);
  // A check-in with a worrying answer (an alert to the coordinator, naming the child) and a free text.
  for (const answer of ['签到', '3', '4', '1', '1', '1', '想妈妈']) await say(ids.carerPhone, answer);
  await say(ids.parentPhone, `${ids.childName}生日快乐！`);
  // The parents' update about the child, as the tick enqueues it, and a WeChat link code.
  await harness.outbound.enqueue({
    key: `digest#${ids.child}#2026-W49#${ids.parent}`,
    recipient: { contactId: ids.parent, channel: 'sms', address: ids.parentPhone },
    body: `${ids.childName}本周很好`,
    kind: 'digest',
    aboutChildId: ids.child,
  });
  await new LinkCodeRepository({ client: table.client, tableName: table.tableName }).issue(
    ids.parent,
    clock.now(),
  );
  return ids;
}

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

/** Every item naming the family: its ids, names or numbers, anywhere in the item. */
async function traces(ids: Awaited<ReturnType<typeof seedFamily>>) {
  const pattern = new RegExp(
    [
      ids.family,
      ids.child,
      ids.childName,
      ids.carer,
      ids.parent,
      ids.carerPhone,
      ids.parentPhone,
      ids.familyName,
    ]
      .map((s) => s.replace('+', '\\+'))
      .join('|'),
  );
  return (await everything()).filter((i) => pattern.test(JSON.stringify(i)));
}

function api(inlineJobSteps: number) {
  const logger = createLogger('coordinator-api');
  logger.setLogLevel('SILENT');
  const deps = createCoordinatorApiDependencies(config, logger, {
    client: table.client,
    clock,
    queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
  });
  // Small steps, so a family takes several.
  const erasure = new RosterErasure({
    client: table.client,
    tableName: table.tableName,
    roster: deps.roster,
    stepItems: STEP_ITEMS,
  });
  const erasureJobs = new ErasureJobs({
    jobs: new JobRepository({ client: table.client, tableName: table.tableName }),
    erasure,
    clock,
    logger,
  });
  const handler = createCoordinatorApiHandler(
    createCoordinatorApiOptions(settings, { ...deps, erasure, erasureJobs, inlineJobSteps }),
  );
  const call = async (path: string, method: 'GET' | 'POST' = 'GET') => {
    const result = await invokeApi(handler, path, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    return { status: result.statusCode ?? 0, json: JSON.parse(result.body ?? '{}') };
  };
  return { call, erasureJobs };
}

const jobIdOf = (ref: string): string => JSON.parse(Buffer.from(ref, 'base64url').toString('utf8'))[2];

describe('erasure on request, as a job', () => {
  it('202 with a job, progress step by step, then nothing of the family left but tombstones and the audit', async () => {
    const ids = await seedFamily(1);
    const other = await seedFamily(2);
    const before = await traces(ids);
    expect(before.length).toBeGreaterThan(15);
    expect(before.some((i) => String(i.pk).startsWith('OUTBOUND#alert#'))).toBe(true);
    const { call, erasureJobs } = api(0);

    const started = await call(`/api/families/${encodeRef('family', A, ids.family)}/erase`, 'POST');
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({
      kind: 'erase-family',
      status: 'running',
      by: 'coord-a',
      steps: 0,
      progress: { done: 0, total: 0 },
    });
    const jobPath = `/api/jobs/${started.json.id}`;
    // Nothing erased yet: the request ran no step (the job itself names its family until it is done).
    expect((await traces(ids)).filter((i) => i.entity !== 'job')).toHaveLength(before.length);

    const seen: { done: number; total: number; status: string }[] = [];
    for (let step = 0; step < 200; step++) {
      const job = await call(jobPath);
      expect(job.status).toBe(200);
      seen.push({ ...job.json.progress, status: job.json.status });
      if (job.json.status !== 'running') break;
      await erasureJobs.run(A, jobIdOf(started.json.id), 1);
    }
    const last = seen.at(-1);
    expect(last?.status).toBe('done');
    // Progress moved forward one step at a time, never back, and was seen part-way.
    expect(seen.length).toBeGreaterThan(5);
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]?.done ?? 0).toBeGreaterThanOrEqual(seen[i - 1]?.done ?? 0);
    expect(seen.some((s) => s.status === 'running' && s.total > 0 && s.done > 0 && s.done < s.total)).toBe(
      true,
    );

    const job = (await call(jobPath)).json;
    expect(job).toMatchObject({
      status: 'done',
      finishedAt: expect.any(String),
      auditId: expect.any(String),
    });
    expect(job.deleted).toMatchObject({
      address: expect.any(Number),
      contact: expect.any(Number),
      family: expect.any(Number),
      outbound: expect.any(Number),
      'link-code': 1,
      'message-for-child': 1,
    });

    // The whole table, read back: nothing names the family, its child, its people or their numbers.
    expect(await traces(ids)).toEqual([]);
    const all = await everything();
    const tombstones = all.filter((i) => i.entity === 'tombstone');
    expect(tombstones).toHaveLength(3); // the family and its two contacts
    const audit = all.filter((i) => i.entity === 'audit');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'erase-family', by: 'coord-a', deleted: job.deleted });
    // The job item keeps counts only (its work list, which named the family, is gone).
    const jobItem = all.find((i) => i.entity === 'job');
    expect(jobItem).not.toHaveProperty('plan');
    expect(jobItem).not.toHaveProperty('dueKey');
    // The other family is untouched.
    expect(await roster.getFamily(other.family)).toBeDefined();
    expect((await traces(other)).length).toBeGreaterThan(15);
    expect((await call(`/api/families/${encodeRef('family', A, ids.family)}`)).status).toBe(404);
  });

  it('a step that fails half-way and is retried erases everything, and counts each item once', async () => {
    const clean = await seedFamily(1);
    const flaky = await seedFamily(2);
    const logger = createLogger('erasure');
    logger.setLogLevel('SILENT');
    const jobs = (client: DynamoDBDocumentClient) =>
      new ErasureJobs({
        jobs: new JobRepository({ client, tableName: table.tableName }),
        erasure: new RosterErasure({ client, tableName: table.tableName, roster, stepItems: STEP_ITEMS }),
        clock,
        logger,
      });

    const plain = jobs(table.client);
    const first = await plain.start('erase-family', A, clean.family, 'coord-a');
    const cleanJob = await plain.run(A, first.jobId, 500);
    expect(cleanJob?.status).toBe('done');

    // The second delete batch fails, after its step recorded what it read (the step is half done).
    const failing = jobs(failOnce(table.client, 'BatchWriteCommand', 2));
    const second = await failing.start('erase-family', A, flaky.family, 'coord-a');
    await expect(failing.run(A, second.jobId, 500)).rejects.toThrow(/erasing failed/);
    const halfway = await failing.get(A, second.jobId);
    expect(halfway).toMatchObject({ status: 'running', lastError: 'DependencyError' });
    expect((await traces(flaky)).length).toBeGreaterThan(0);

    const retried = await failing.run(A, second.jobId, 500);
    expect(retried?.status).toBe('done');
    expect(await traces(flaky)).toEqual([]);
    // The same family shape, the same counts: nothing counted twice, nothing missed.
    expect(retried?.deleted).toEqual(cleanJob?.deleted);
    expect((await everything()).filter((i) => i.entity === 'audit')).toHaveLength(2);
  });

  it('the scheduler tick carries on a job the request left unfinished', async () => {
    const ids = await seedFamily(1);
    const { call } = api(1);
    const started = await call(`/api/families/${encodeRef('family', A, ids.family)}/erase`, 'POST');
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ status: 'running', steps: 1 });

    const logger = createLogger('scheduler-tick');
    logger.setLogLevel('SILENT');
    const scheduler = createSchedulerDependencies(config, logger, {
      client: table.client,
      clock,
      queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
    });
    clock.advance(60_000);
    await runSchedulerTick(scheduler, clock.now());
    expect((await call(`/api/jobs/${started.json.id}`)).json).toMatchObject({ status: 'done' });
    expect(await traces(ids)).toEqual([]);
  });

  it("a job of another centre is not found; a family not in the caller's centre is not erased", async () => {
    const ids = await seedFamily(1);
    const { call } = api(0);
    const started = await call(`/api/families/${encodeRef('family', A, ids.family)}/erase`, 'POST');
    if (settings.auth.mode !== 'local') throw new Error('expected local auth');
    const other = await issueLocalToken(settings.auth.signingKey, {
      subject: 'coord-b',
      centres: ['centre-hekou'],
    });
    const mine = token;
    token = other;
    try {
      expect((await call(`/api/jobs/${started.json.id}`)).status).toBe(404);
      expect((await call(`/api/jobs?centre=${A}`)).status).toBe(404);
      expect((await call(`/api/families/${encodeRef('family', A, ids.family)}/erase`, 'POST')).status).toBe(
        404,
      );
    } finally {
      token = mine;
    }
    const list = await call(`/api/jobs?centre=${A}`);
    expect(list.json.jobs.map((j: { id: string }) => j.id)).toEqual([started.json.id]);
  });
});

/** The client, except that the `nth` request of this command fails once (a DynamoDB timeout). */
function failOnce(client: DynamoDBDocumentClient, command: string, nth: number): DynamoDBDocumentClient {
  let seen = 0;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver);
      return (cmd: { constructor: { name: string } }, ...rest: unknown[]) => {
        if (cmd.constructor.name === command && ++seen === nth)
          return Promise.reject(new Error('DynamoDB timed out'));
        return (target.send as (...args: unknown[]) => Promise<unknown>)(cmd, ...rest);
      };
    },
  });
}
