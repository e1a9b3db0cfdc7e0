import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mainlandSmsEnvSchema } from '#lib/config/mainland-sms.ts';
import { runTurn } from '#lib/domain/conversation-engine.ts';
import type { ContactView, Session } from '#lib/domain/model.ts';
import { composeDigest } from '#lib/domain/parent-digest.ts';
import { renderMainlandSms } from '#lib/domain/sms-templates.ts';
import { weeklyCheckinFlow } from '#lib/domain/weekly-checkin-flow.ts';
import { invitationText, nudgeText } from '#lib/domain/weekly-messages.ts';
import { createAliyunSmsWebhookHandler } from '#lib/http/aliyun-sms-webhook.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { lambdaContext } from '#lib/local/lambda-adapter.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { systemClock } from '#lib/ports/clock.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { localSendQueue } from '#lib/wiring/adapters.ts';
import { createAliyunSmsWebhookDependencies } from '#lib/wiring/aliyun-sms-webhook.ts';
import { startBenchTable } from '#tests/bench/bench-table.ts';
import type { Figure } from '#tests/bench/figures.ts';

const CARER = '13800000001';
const ANSWERS = ['3', '１', '一', '1个', '是', '0', '2', '2', '1', '1', '否', '0'];
const SECRET = 'bench-callback-secret-0123456789';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Mid-check-in turns through the Alibaba Cloud uplink webhook (path secret, push parsing, engine,
 * store, and the replies enqueued as template messages) against DynamoDB Local: beside the Twilio turn.
 */
export async function domesticTurnFigures(rounds = 50): Promise<Figure[]> {
  const bench = await startBenchTable('bench-domestic-turns');
  const { client, config } = bench;
  try {
    await seedDemoRoster(new RosterRepository({ client, tableName: config.TABLE_NAME }));
    const logger = createLogger('bench');
    logger.setLogLevel('ERROR');
    const adapters = { client, clock: systemClock, queue: localSendQueue(config) };
    const handler = createAliyunSmsWebhookHandler(
      createAliyunSmsWebhookDependencies(config, { aliyunCallbackSecrets: [SECRET] }, logger, {}, adapters),
      config.PUBLIC_URL,
    );
    let sequence = 0;
    const push = async (content: string) => {
      const path = `/webhooks/aliyun-sms/up/${SECRET}`;
      const body = JSON.stringify([
        { phone_number: CARER, content, send_time: new Date().toISOString(), sequence_id: ++sequence },
      ]);
      const event = {
        version: '2.0',
        routeKey: 'POST /webhooks/aliyun-sms/up/{secret}',
        rawPath: path,
        rawQueryString: '',
        headers: { 'content-type': 'application/json' },
        requestContext: { http: { method: 'POST', path }, requestId: randomUUID(), timeEpoch: Date.now() },
        body,
        isBase64Encoded: false,
      };
      const result = (await handler(
        event as never,
        lambdaContext('aliyun-sms-webhook', randomUUID()),
      )) as APIGatewayProxyStructuredResultV2;
      if (result.statusCode !== 200) throw new Error(`push failed: ${result.statusCode} ${result.body}`);
    };
    const latencies: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await push('签到');
      for (const [i, answer] of ANSWERS.entries()) {
        const started = performance.now();
        await push(answer);
        if (i < ANSWERS.length - 1) latencies.push(performance.now() - started);
      }
    }
    latencies.sort((a, b) => a - b);
    return [
      { name: 'domestic (Alibaba Cloud push) turns measured', value: latencies.length, unit: 'turns' },
      { name: 'domestic turn latency p50', value: percentile(latencies, 50), unit: 'ms' },
      { name: 'domestic turn latency p95', value: percentile(latencies, 95), unit: 'ms' },
      ...familyCostFigures(),
    ];
  } finally {
    await bench.stop();
  }
}

/**
 * Billed messages per family per week by template, step by step, from the real engine and builders:
 * a carer of two children (invitation and every reply of the check-in), two parents (digest, nudge).
 */
function familyCostFigures(): Figure[] {
  const carer: ContactView = {
    contactId: 'c',
    role: 'carer',
    language: 'zh-CN',
    optedOut: false,
    displayName: '李奶奶',
    centreId: 'centre',
    centreName: '石门村儿童之家',
    centrePhone: '0731-8888 1234',
    children: [
      { childId: 'a', familyId: 'f', name: '小明', category: 'both-away' },
      { childId: 'b', familyId: 'f', name: '小红', category: 'both-away' },
    ],
    addresses: [{ channel: 'sms', address: '+8613800000001' }],
  };
  let session: Session | undefined;
  let contact = carer;
  let segments = 0;
  const start = new Date('2026-12-05T02:00:00Z');
  ['签到', ...ANSWERS].forEach((text, i) => {
    const o = runTurn({
      text,
      now: new Date(start.getTime() + i * 60_000),
      contact,
      session,
      sessionTtlHours: 48,
    });
    for (const reply of o.replies) segments += renderMainlandSms('reply', reply).segments;
    session = o.session ?? undefined;
    contact = { ...contact, ...o.contactChanges };
  });
  const firstQuestion = weeklyCheckinFlow.steps[0];
  if (firstQuestion) {
    const invitation = invitationText({
      language: 'zh-CN',
      carerName: '李奶奶',
      childName: '小明',
      firstQuestion,
      stopHint: true,
    });
    segments += renderMainlandSms('invitation', invitation).segments;
  }
  for (const child of ['小明', '小红']) {
    const digest = composeDigest({
      language: 'zh-CN',
      childName: child,
      checkin: { answers: { attendance: 5, mood: 1, school: 1, health: 1 } },
      consent: { attendance: true, mood: true, school: true, health: true },
      activities: [{ date: '2026-12-05', title: '手工课' }],
      stopHint: false,
    });
    // Each of the two parents hears about each child.
    segments += 2 * renderMainlandSms('digest', digest).segments;
  }
  segments += 2 * renderMainlandSms('nudge', nudgeText('zh-CN', ['小明', '小红'])).segments;
  const prices = mainlandSmsEnvSchema.parse({});
  const perMonth = (segments * 365) / 12 / 7;
  return [
    { name: 'domestic billed messages per family per week (step by step)', value: segments, unit: 'msgs' },
    {
      name: 'cost per family per month, Alibaba Cloud',
      value: perMonth * prices.MAINLAND_SMS_PRICE_ALIYUN,
      unit: 'CNY',
    },
    {
      name: 'cost per family per month, Tencent Cloud',
      value: perMonth * prices.MAINLAND_SMS_PRICE_TENCENT,
      unit: 'CNY',
    },
  ];
}
