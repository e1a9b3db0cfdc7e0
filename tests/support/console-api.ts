// The coordinators' API on a fresh DynamoDB Local table with the demo centre and a second one, for the
// console's routes: real handler, real repositories, the clock the test moves.
import { issueLocalToken } from '#lib/api/auth.ts';
import { createCoordinatorApiHandler } from '#lib/api/handler.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { apiSettings } from '#lib/config/api.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import type { ManualClock } from '#lib/ports/clock.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import {
  createCoordinatorApiDependencies,
  createCoordinatorApiOptions,
} from '#lib/wiring/coordinator-api.ts';
import { invokeApi } from '#tests/support/api-event.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { CENTRE_A, CENTRE_B, seedSecondCentre } from '#tests/support/second-centre.ts';
import { texting } from '#tests/support/sms-webhook.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

export interface ApiAnswer {
  status: number;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON they assert on
  json: any;
}

export interface ConsoleApi {
  table: TestTable;
  config: Config;
  roster: RosterRepository;
  /** A carer or parent texting lianxin through the real SMS webhook. */
  say(from: string, body: string): Promise<{ replies: string[] }>;
  /** As the coordinator of centre A (default) or B. */
  get(path: string, as?: 'A' | 'B'): Promise<ApiAnswer>;
  post(path: string, body: unknown, as?: 'A' | 'B'): Promise<ApiAnswer>;
}

export async function consoleApi(clock: ManualClock): Promise<ConsoleApi> {
  const table = await createTestTable();
  const config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  const settings = apiSettings(config, {});
  if (settings.auth.mode !== 'local') throw new Error('expected local auth');
  const roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(roster);
  await seedSecondCentre(roster);
  const tokens = {
    A: await issueLocalToken(settings.auth.signingKey, { subject: 'coord-a', centres: [CENTRE_A] }),
    B: await issueLocalToken(settings.auth.signingKey, { subject: 'coord-b', centres: [CENTRE_B] }),
  };
  const deps = createCoordinatorApiDependencies(config, createLogger('coordinator-api'), {
    client: table.client,
    clock,
    queue: new InProcessQueue({ clock, visibilityTimeoutSeconds: 60, maxReceiveCount: 5 }),
  });
  const api = createCoordinatorApiHandler(createCoordinatorApiOptions(settings, deps));
  const call = async (method: 'GET' | 'POST', path: string, as: 'A' | 'B', body?: unknown) => {
    const result = await invokeApi(api, path, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[as]}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = result.body ?? '';
    const isJson = String(result.headers?.['content-type'] ?? '').startsWith('application/json');
    return { status: result.statusCode ?? 0, text, json: isJson ? JSON.parse(text) : undefined };
  };
  return {
    table,
    config,
    roster,
    say: texting(config, outboundHarness(config, table, clock, localOutbox).adapters),
    get: (path, as = 'A') => call('GET', path, as),
    post: (path, body, as = 'A') => call('POST', path, as, body),
  };
}
