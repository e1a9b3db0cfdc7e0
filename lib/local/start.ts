// `npm start`: lianxin on one machine — DynamoDB Local, the table, the demo roster, and the
// Lambda handlers behind a local HTTP server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { issueLocalToken } from '#lib/api/auth.ts';
import { localOutbox } from '#lib/channels/local-outbox.ts';
import { apiSettings, exportSettings } from '#lib/config/api.ts';
import { loadConfig, twilioAuthToken } from '#lib/config/core.ts';
import { wechatInboundSettings } from '#lib/config/wechat.ts';
import { seedDemoCalendar } from '#lib/local/demo/demo-calendar.ts';
import { DEMO_GB_PIN, seedDemoGbPin } from '#lib/local/demo/demo-gb-pin.ts';
import { DEMO_ROSTER, ensureDemoSchedules, seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { startDynamoDbLocal } from '#lib/local/dynamodb-local.ts';
import { linkCodeRoute } from '#lib/local/link-code-route.ts';
import { LocalExportFiles } from '#lib/local/local-export-files.ts';
import { PROVIDER_PUSH_MAX_BYTES, startLocalServer } from '#lib/local/local-server.ts';
import { startLocalMainlandSms } from '#lib/local/mainland-sms-local.ts';
import { phoneSimulatorRoutes } from '#lib/local/phone-simulator-route.ts';
import { seedLocalAccounts, signInRoutes } from '#lib/local/sign-in-route.ts';
import { clockRoute, tickRoute } from '#lib/local/tick-route.ts';
import { ensureWebBuild, WEB_DIST } from '#lib/local/web-static.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { processDelivery, withSendSlots } from '#lib/outbound/send-worker.ts';
import { runTickInProcess } from '#lib/schedule/tick-dispatcher.ts';
import { LocalCoordinatorDirectory } from '#lib/store/accounts/local-coordinator-directory.ts';
import { GbPinRepository } from '#lib/store/broadcasts/gb-pin-repository.ts';
import { createDocumentClient } from '#lib/store/dynamo-client.ts';
import { ensureTable } from '#lib/store/ensure-table.ts';
import { CentreCalendarRepository } from '#lib/store/roster/centre-calendar-repository.ts';
import { LinkCodeRepository } from '#lib/store/roster/link-code-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { localClock, localSendQueue } from '#lib/wiring/adapters.ts';
import { useLocalExportFiles } from '#lib/wiring/coordinator-api.ts';
import { createSchedulerDependencies, TICK_UNIT_MAX_ITEMS } from '#lib/wiring/scheduler-tick.ts';
import { createSendWorkerDependencies, defaultSmsChannel } from '#lib/wiring/send-worker.ts';

const { values } = parseArgs({
  options: { data: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  allowPositionals: false,
});
if (values.help) {
  console.log('npm start [-- --data DIR]   (PORT=3000 by default; --data keeps the database between runs)');
  process.exit(0);
}

process.env.LIANXIN_ENV = 'local';
/** EventBridge Scheduler runs the tick every 5 minutes in AWS; locally more often, to see things happen. */
const TICK_EVERY_MS = 30_000;

/** Next Saturday 10:00 in Shanghai, as `npm run tick -- --at` takes it. */
function nextSaturdayMorning(now: Date): string {
  const local = new Date(now.getTime() + 8 * 3_600_000);
  const days = (6 - local.getUTCDay() + 7) % 7 || 7;
  local.setUTCDate(local.getUTCDate() + days);
  return `${local.toISOString().slice(0, 10)}T10:00+08:00`;
}
const stops: Array<() => Promise<void>> = [];
let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  if (process.env.PORT === '0')
    throw new Error('PORT=0 is not supported: Twilio signs the exact URL, so pick a port');
  if (values.data && process.env.DYNAMODB_ENDPOINT) {
    throw new Error(
      '--data keeps the database of the DynamoDB Local that npm start runs; unset DYNAMODB_ENDPOINT',
    );
  }
  if (!process.env.DYNAMODB_ENDPOINT) {
    const dataDir = values.data ? resolve(values.data) : undefined;
    const dynamo = await startDynamoDbLocal({ dataDir });
    stops.push(() => dynamo.stop());
    process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  }
  const config = loadConfig();
  const mainlandSms = await startLocalMainlandSms(config.PUBLIC_URL);
  stops.push(() => mainlandSms.stop());
  const wechatDev = wechatInboundSettings(config);
  const client = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT });
  await ensureTable(client, config.TABLE_NAME);
  const roster = new RosterRepository({ client, tableName: config.TABLE_NAME });
  // With --data the roster (and anyone's opt-out) survives restarts: seed only an empty table.
  const seeded = (await roster.findContactIdByAddress('sms', '+8613700000001')) === undefined;
  if (seeded) await seedDemoRoster(roster);
  else await ensureDemoSchedules(roster);
  if (seeded)
    await seedDemoGbPin(new GbPinRepository({ client, tableName: config.TABLE_NAME }), localClock.now());

  // The local user store (Cognito's stand-in): the demo coordinators, who may invite others.
  const accounts = new LocalCoordinatorDirectory({ client, tableName: config.TABLE_NAME });
  await seedLocalAccounts(roster, accounts, [DEMO_ROSTER.centre.centreId]);

  // The weekly rhythm: the scheduler tick on the same table and send queue as the handlers, on the
  // process's clock, which `npm run tick -- --at …` may move (EventBridge Scheduler in AWS).
  await seedDemoCalendar(
    new CentreCalendarRepository({ client, tableName: config.TABLE_NAME }),
    localClock.now(),
  );
  const scheduler = createSchedulerDependencies(config, createLogger('scheduler-tick'), {
    client,
    clock: localClock,
    queue: localSendQueue(config),
  });

  // Exports too large for a response: files the local server serves at short-lived links (the
  // exports bucket in AWS); kept with --data, else in a temporary folder removed on exit.
  let listeningPort = config.PORT;
  const exportDir = values.data
    ? join(resolve(values.data), 'exports')
    : await mkdtemp(join(tmpdir(), 'lianxin-exports-'));
  if (!values.data) stops.push(() => rm(exportDir, { recursive: true, force: true }));
  const exportFiles = new LocalExportFiles({
    dir: exportDir,
    baseUrl: () => `http://localhost:${listeningPort}`,
    linkSeconds: exportSettings().linkSeconds,
    clock: localClock,
  });
  useLocalExportFiles(exportFiles);

  // Imported only now: the handlers read their config at module scope, as on a Lambda cold start.
  const sms = await import('#functions/twilio-sms-webhook.ts');
  const status = await import('#functions/twilio-status-webhook.ts');
  const wechat = await import('#functions/wechat-webhook.ts');
  const api = await import('#functions/coordinator-api.ts');
  const aliyunSms = await import('#functions/aliyun-sms-webhook.ts');
  const tencentSms = await import('#functions/tencent-sms-webhook.ts');
  const apiAuth = apiSettings(config).auth;
  await ensureWebBuild();
  const { server, port } = await startLocalServer({
    port: config.PORT,
    outbox: localOutbox,
    webDist: WEB_DIST,
    exportFiles,
    devRoutes: [
      ...(apiAuth.mode === 'local' ? signInRoutes({ accounts, roster, signingKey: apiAuth.signingKey }) : []),
      ...phoneSimulatorRoutes({
        roster,
        centreIds: [DEMO_ROSTER.centre.centreId],
        outbox: localOutbox,
        clock: localClock,
        webhook: () => ({
          fetchUrl: `http://127.0.0.1:${listeningPort}/webhooks/twilio/sms`,
          signedUrl: `${config.PUBLIC_URL}/webhooks/twilio/sms`,
        }),
        twilio: {
          accountSid: config.TWILIO_ACCOUNT_SID,
          authToken: twilioAuthToken(config),
          phoneNumber: config.TWILIO_PHONE_NUMBER,
        },
      }),
      linkCodeRoute({
        codes: new LinkCodeRepository({ client, tableName: config.TABLE_NAME }),
        roster,
        clock: localClock,
      }),
      tickRoute({ scheduler, clock: localClock, queue: localSendQueue(config) }),
      clockRoute(localClock),
    ],
    routes: [
      ...['GET', 'POST'].map((method) => ({
        method,
        path: '/webhooks/wechat',
        functionName: 'wechat-webhook',
        handler: wechat.handler,
      })),
      {
        method: 'POST',
        path: '/webhooks/twilio/sms',
        functionName: 'twilio-sms-webhook',
        handler: sms.handler,
      },
      {
        method: 'POST',
        path: '/webhooks/twilio/status',
        functionName: 'twilio-status-webhook',
        handler: status.handler,
      },
      {
        method: 'POST',
        path: '/webhooks/aliyun-sms/',
        prefix: true,
        functionName: 'aliyun-sms-webhook',
        handler: aliyunSms.handler,
        maxBodyBytes: PROVIDER_PUSH_MAX_BYTES,
      },
      {
        method: 'POST',
        path: '/webhooks/tencent-sms/',
        prefix: true,
        functionName: 'tencent-sms-webhook',
        handler: tencentSms.handler,
        maxBodyBytes: PROVIDER_PUSH_MAX_BYTES,
      },
      ...['GET', 'POST'].map((method) => ({
        method,
        path: '/api/',
        prefix: true,
        functionName: 'coordinator-api',
        handler: api.handler,
      })),
    ],
  });
  listeningPort = port;
  stops.push(() => new Promise<void>((done) => server.close(() => done())));

  // The send worker, on the in-process queue the handlers enqueue into (SQS + Lambda in AWS).
  const workerLogger = createLogger('send-worker');
  const queue = localSendQueue(config);
  const worker = createSendWorkerDependencies(
    config,
    workerLogger,
    { client, clock: localClock, queue },
    defaultSmsChannel(config, mainlandSms.settings),
  );
  const slotted = withSendSlots(worker, config.SEND_WORKER_CONCURRENCY);
  queue.start((delivery, control) => processDelivery(delivery, control, slotted.deps), {
    concurrency: slotted.concurrency,
    pollMs: 250,
  });
  stops.push(() => queue.stop());

  // The scheduler tick: once now (it plans the new schedules from today), then every TICK_EVERY_MS
  // of real time, one at a time, at the local clock's time.
  await runTickInProcess(scheduler, scheduler.clock.now(), TICK_UNIT_MAX_ITEMS);
  let ticking: Promise<unknown> | undefined;
  const tickTimer = setInterval(() => {
    ticking ??= runTickInProcess(scheduler, scheduler.clock.now(), TICK_UNIT_MAX_ITEMS)
      .catch((error: unknown) => scheduler.logger.error('scheduler tick failed', { error: error as Error }))
      .finally(() => {
        ticking = undefined;
      });
  }, TICK_EVERY_MS);
  tickTimer.unref();
  stops.push(async () => {
    clearInterval(tickTimer);
    await ticking;
  });

  // The coordinators' API: a token for the demo coordinator, as Cognito would issue one in AWS.
  const apiToken =
    apiAuth.mode === 'local'
      ? await issueLocalToken(apiAuth.signingKey, {
          subject: 'demo-wang-laoshi',
          centres: ['centre-shimen'],
          expiresIn: '7d',
        })
      : '';
  console.log(
    [
      '',
      `lianxin (连心) is running locally on http://localhost:${port}`,
      `  console            http://localhost:${port}/  (sign in as a demo coordinator)`,
      `  DynamoDB Local     ${config.DYNAMODB_ENDPOINT}  table ${config.TABLE_NAME}${values.data ? ` (data in ${values.data})` : ' (in memory)'}`,
      `  demo roster        ${seeded ? 'seeded' : 'already present'}: centre 石门村儿童之家, coordinator +8613700000001 (GB PIN ${DEMO_GB_PIN})`,
      `  SMS webhook        POST ${config.PUBLIC_URL}/webhooks/twilio/sms`,
      `  status callbacks   POST ${config.PUBLIC_URL}/webhooks/twilio/status`,
      ...mainlandSms.banner,
      `  WeChat webhook     GET/POST ${config.PUBLIC_URL}/webhooks/wechat  (token ${wechatDev.token}, AppID ${wechatDev.appId}; WeChat API → outbox)`,
      `  send queue         in-process, ${config.SEND_RATE_PER_SECOND} msg/s, quiet hours 21:00-08:00 Asia/Shanghai`,
      `  local outbox       GET  http://localhost:${port}/dev/outbox`,
      `  large exports      files in ${exportDir}, links GET /dev/exports/<token> (${exportSettings().linkSeconds} s)`,
      `  scheduler tick     every ${TICK_EVERY_MS / 1000} s; POST /dev/tick?at=… runs one at a chosen time`,
      '  dev credentials    (local only; never used in AWS)',
      `    TWILIO_ACCOUNT_SID  ${config.TWILIO_ACCOUNT_SID}`,
      `    TWILIO_AUTH_TOKEN   ${twilioAuthToken(config)}`,
      `    TWILIO_PHONE_NUMBER ${config.TWILIO_PHONE_NUMBER}`,
      `  coordinators' API  GET/POST http://localhost:${port}/api/…  (GET /api/openapi.json); token of 王老师 (centre-shimen, 7 days):`,
      `    ${apiToken}`,
      '',
      'Chat as the grandmother of 小明 and 小红 (type 签到 to start the check-in, TD to stop):',
      `  ${port === 3000 ? '' : `PORT=${port} `}npm run chat -- --as +8613800000001   (add --aliyun or --tencent for the domestic path)`,
      'Or link a WeChat account to her and chat as it (follow, send the code, then 签到):',
      `  ${port === 3000 ? '' : `PORT=${port} `}npm run link-code -- contact-li-nainai`,
      `  ${port === 3000 ? '' : `PORT=${port} `}npm run chat -- --wechat oTEST123`,
      'See a week happen: move time to Saturday 10:00 (the invitations), answer, then tick again:',
      `  ${port === 3000 ? '' : `PORT=${port} `}npm run tick -- --at "${nextSaturdayMorning(localClock.now())}"`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
} catch (error) {
  console.error(`lianxin could not start: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
