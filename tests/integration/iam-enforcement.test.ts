// The IAM-enforcing clients of the integration suite: what each function's wiring builds acts with
// that function's role as synthesized. A role without an action its code sends fails where AWS would.
import { BatchWriteCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { issueLocalToken } from '#lib/api/auth.ts';
import { encodeRef } from '#lib/api/coordinator-api.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { apiSettings } from '#lib/config/api.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { DUE_INDEX } from '#lib/store/table-definition.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { asFunction, functionScopes } from '#lib/wiring/store-adapters.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import { iamEnforcingScope } from '#tests/support/iam-enforcing-client.ts';
import type { RolePolicies } from '#tests/support/role-policies.ts';
import { CENTRE_A } from '#tests/support/second-centre.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

const clock = new ManualClock('2026-12-05T02:00:00Z');
const policies = inject('rolePolicies');
let table: TestTable;

beforeAll(async () => {
  table = await createTestTable();
});

const as = (fn: string) => asFunction({ client: table.client, clock }, fn).client;

describe('the synthesized roles, enforced on the test clients', () => {
  it('grant BatchWriteItem, and a Query on the reference index for erasure; no function may Scan', () => {
    for (const fn of ['twilio-sms-webhook', 'wechat-webhook', 'scheduler-tick', 'coordinator-api'] as const) {
      expect(policies[fn].table).toContain('dynamodb:BatchWriteItem');
    }
    for (const fn of ['coordinator-api', 'scheduler-tick'] as const) {
      expect(policies[fn].table).not.toContain('dynamodb:Scan');
      expect(policies[fn]['table/index/refs']).toEqual(['dynamodb:Query']);
    }
  });

  it('refuse a command the role does not allow, with AccessDenied, and let an allowed one through', async () => {
    const write = new BatchWriteCommand({
      RequestItems: { [table.tableName]: [{ PutRequest: { Item: { pk: 'X', sk: 'Y' } } }] },
    });
    await expect(as('twilio-status-webhook').send(write)).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('dynamodb:BatchWriteItem'),
    });
    await expect(as('coordinator-api').send(write)).resolves.toBeDefined();
    await expect(as('scheduler-tick').send(new ScanCommand({ TableName: table.tableName }))).rejects.toThrow(
      /not authorized to perform: dynamodb:Scan/,
    );
  });

  it('allow Query on the due index only to the tick, and on no index by a name it was not given', async () => {
    const query = (index: string) =>
      new QueryCommand({
        TableName: table.tableName,
        IndexName: index,
        KeyConditionExpression: 'dueShard = :s',
        ExpressionAttributeValues: { ':s': 'DUE#00' },
      });
    await expect(as('scheduler-tick').send(query(DUE_INDEX.name))).resolves.toBeDefined();
    await expect(as('coordinator-api').send(query(DUE_INDEX.name))).rejects.toThrow(/table\/index\/due/);
  });

  it('refuse enqueueing to a function whose role cannot send to the queue', async () => {
    const queue = new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 });
    const status = asFunction({ client: table.client, clock, queue }, 'twilio-status-webhook');
    await expect(status.queue.send(['{}'])).rejects.toThrow(/sqs:SendMessage/);
    const api = asFunction({ client: table.client, clock, queue }, 'coordinator-api');
    await expect(api.queue.send(['{}'])).resolves.toBeUndefined();
  });
});

describe('through a real entry point', () => {
  let config: Config;
  async function eraseFamilyWith(rolePolicies: RolePolicies) {
    const t = await createTestTable();
    functionScopes.set(t.client, iamEnforcingScope(t, rolePolicies));
    config = loadConfig({
      LIANXIN_ENV: 'local',
      PUBLIC_URL: 'https://lianxin.example.org',
      TABLE_NAME: t.tableName,
      DYNAMODB_ENDPOINT: t.endpoint,
    });
    await seedDemoRoster(new RosterRepository({ client: t.client, tableName: t.tableName }));
    const settings = apiSettings(config, {});
    if (settings.auth.mode !== 'local') throw new Error('expected local auth');
    const token = await issueLocalToken(settings.auth.signingKey, {
      subject: 'coord-a',
      centres: [CENTRE_A],
    });
    const logger = createLogger('coordinator-api');
    logger.setLogLevel('SILENT');
    const deps = createCoordinatorApiDependencies(config, logger, {
      client: t.client,
      clock,
      queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
    });
    const api = createCoordinatorApiHandler(createCoordinatorApiOptions(settings, deps));
    return invokeApi(api, `/api/families/${encodeRef('family', CENTRE_A, 'family-li')}/erase`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: '{}',
    });
  }

  it('erasing a family works with the synthesized role, and fails as in AWS without the reference index', async () => {
    const done = await eraseFamilyWith(policies);
    expect(done.statusCode).toBe(202);
    expect(JSON.parse(done.body ?? '{}')).toMatchObject({ status: 'done' });
    const api = policies['coordinator-api'];
    expect(api?.table ?? []).not.toContain('dynamodb:Scan');
    const { 'table/index/refs': refs, ...withoutRefs } = api ?? {};
    expect(refs).toContain('dynamodb:Query');
    // Accepted (the job is kept), but its step fails as AWS would refuse it, and stays to be retried.
    const denied = await eraseFamilyWith({ ...policies, 'coordinator-api': withoutRefs });
    expect(denied.statusCode).toBe(202);
    expect(JSON.parse(denied.body ?? '{}')).toMatchObject({
      status: 'running',
      lastError: expect.any(String),
    });
  });
});
