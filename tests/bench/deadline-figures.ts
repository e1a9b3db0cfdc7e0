// How long lianxin waits on what does not answer, measured (the tests prove the behaviour; the
// figures are here): the WeChat webhook answering `success` when a turn outlasts its reply budget,
// and an SMS send giving up on a Twilio that never answers.
import { TwilioSmsOutbound } from '#lib/channels/twilio-sms/twilio-sms-outbound.ts';
import { wechatInboundSettings } from '#lib/config/wechat.ts';
import { createWechatWebhookHandler } from '#lib/http/wechat-webhook.ts';
import type { InProcessLateReplies } from '#lib/inbound/wechat-late-replies.ts';
import { newMsgId, textMessageXml } from '#lib/local/wechat-inbound-request.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { SendFailure } from '#lib/ports/channel.ts';
import { systemClock } from '#lib/ports/clock.ts';
import type { WechatWindowRepository } from '#lib/store/conversation/wechat-window-repository.ts';
import { localSendQueue } from '#lib/wiring/adapters.ts';
import { createWechatWebhookDependencies } from '#lib/wiring/wechat-webhook.ts';
import { startBenchTable } from '#tests/bench/bench-table.ts';
import type { Figure } from '#tests/bench/figures.ts';
import { fakeResponses, startFakeTwilio } from '#tests/support/fake-twilio-server.ts';
import { invokeWechat, postEvent, wechatKeys } from '#tests/support/wechat-webhook.ts';

const WECHAT_WAIT_MS = 5_000;

export async function deadlineFigures(rounds = 3): Promise<Figure[]> {
  return [...(await wechatBudgetFigures(rounds)), ...(await twilioTimeoutFigures(rounds * 3))];
}

/** A turn held until the webhook has answered: the answer can only come from the budget. */
async function wechatBudgetFigures(rounds: number): Promise<Figure[]> {
  const bench = await startBenchTable('bench-deadlines');
  try {
    const { client, config } = bench;
    const logger = createLogger('bench');
    logger.setLogLevel('SILENT');
    const budgetMs = wechatInboundSettings(config).replyBudgetMs;
    const adapters = { client, clock: systemClock, queue: localSendQueue(config) };
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Every message starts by recording the user's 48-hour window: held there.
    const windows = { opened: () => held } as unknown as WechatWindowRepository;
    const deps = createWechatWebhookDependencies(config, logger, { windows }, adapters);
    const handler = createWechatWebhookHandler(deps, config.PUBLIC_URL);
    const keys = wechatKeys(config, false);
    const answered: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const openId = `o-bench-deadline-${i}`;
      const xml = textMessageXml({ openId, content: '你好', msgId: newMsgId() });
      const started = performance.now();
      const result = await invokeWechat(handler, postEvent(config, keys, xml, openId));
      answered.push(performance.now() - started);
      if (result.body !== 'success')
        throw new Error(`expected success, got ${result.statusCode} ${result.body}`);
    }
    release();
    await (deps.lateReplies as InProcessLateReplies).idle();
    return [
      { name: 'WeChat reply budget', value: budgetMs, unit: 'ms' },
      {
        name: 'WeChat slow turn: `success` after (max)',
        value: Math.max(...answered),
        unit: 'ms',
        target: `< ${WECHAT_WAIT_MS} (WeChat's wait)`,
      },
    ];
  } finally {
    await bench.stop();
  }
}

/** The real twilio client against a fake that creates the message and never answers. */
async function twilioTimeoutFigures(rounds: number): Promise<Figure[]> {
  const accountSid = `AC${'1'.repeat(32)}`;
  const authToken = 'bench-twilio-auth-token';
  const fake = await startFakeTwilio({ accountSid, authToken });
  const timeoutMs = 1_000;
  try {
    const channel = new TwilioSmsOutbound({
      accountSid,
      authToken,
      from: '+15005550006',
      timeoutMs,
      apiBaseUrl: fake.baseUrl,
    });
    const gaveUp: number[] = [];
    for (let i = 0; i < rounds; i++) {
      fake.failNext(1, fakeResponses.noAnswer);
      const started = performance.now();
      const error = await channel.send('+8613800000001', 'bench').then(
        () => undefined,
        (e: unknown) => e,
      );
      gaveUp.push(performance.now() - started);
      if (!(error instanceof SendFailure) || error.kind !== 'unknown-outcome') {
        throw new Error(`expected an unknown outcome, got ${String(error)}`);
      }
    }
    return [
      {
        name: `SMS send to a silent Twilio: given up after (max, timeout ${timeoutMs} ms)`,
        value: Math.max(...gaveUp),
        unit: 'ms',
        target: `≈ ${timeoutMs}`,
      },
    ];
  } finally {
    await fake.close();
  }
}
