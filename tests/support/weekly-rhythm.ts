// The weekly rhythm on a test table, end to end: the demo roster, the real SMS webhook handler for
// replies, the real scheduler tick, and the real send path (in-process queue + send worker) on one
// manual clock, sending through the local outbox with the clock's time noted for each message.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LocalOutbox } from '#lib/channels/local-outbox.ts';
import { type Config, loadConfig } from '#lib/config/core.ts';
import type { OutboundMessage } from '#lib/domain/outbound-message.ts';
import {
  DEFAULT_WEEKLY_SCHEDULE,
  localDateString,
  type WeeklySchedule,
} from '#lib/domain/weekly-schedule.ts';
import { createSmsWebhookHandler, type SmsWebhookDependencies } from '#lib/http/twilio-sms-webhook.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import type { OutboundChannel } from '#lib/ports/channel.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { runSchedulerTick, type SchedulerDependencies } from '#lib/schedule/scheduler-tick.ts';
import { CheckinRepository } from '#lib/store/conversation/checkin-repository.ts';
import { CentreCalendarRepository } from '#lib/store/roster/centre-calendar-repository.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createSchedulerDependencies } from '#lib/wiring/scheduler-tick.ts';
import { createSmsWebhookDependencies } from '#lib/wiring/sms-webhook.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { invoke, smsEvent } from '#tests/support/sms-webhook.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

export interface Sent {
  /** Shanghai local time the send worker sent it, e.g. `12-05 Sat 10:00`. */
  at: string;
  to: string;
  body: string;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `12-05 Sat 10:00` in Shanghai: how a test says when a message went. */
export function shanghai(at: Date): string {
  const local = new Date(at.getTime() + 8 * 3_600_000);
  const hhmm = local.toISOString().slice(11, 16);
  return `${localDateString(at).slice(5)} ${WEEKDAYS[local.getUTCDay()]} ${hhmm}`;
}

export async function weeklyRhythmWorld(options: {
  start: string;
  schedule?: WeeklySchedule;
  /** Fakes or failures for the SMS webhook (e.g. an alert notifier that fails). */
  webhookOverrides?: Partial<SmsWebhookDependencies>;
}) {
  const table: TestTable = await createTestTable();
  const config: Config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'https://lianxin.example.org',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
  const clock = new ManualClock(options.start);
  const roster = new RosterRepository({ client: table.client, tableName: table.tableName });
  await seedDemoRoster(roster);

  const sent: Sent[] = [];
  const outbox = new LocalOutbox();
  const channel: OutboundChannel = {
    name: 'local',
    send: async (to, body) => {
      sent.push({ at: shanghai(clock.now()), to, body });
      return outbox.send(to, body);
    },
  };
  const harness = outboundHarness(config, table, clock, channel);
  const logger = createLogger('test-weekly-rhythm');
  logger.setLogLevel('SILENT');
  const webhook = createSmsWebhookHandler(
    createSmsWebhookDependencies(config, logger, options.webhookOverrides ?? {}, harness.adapters),
    config.PUBLIC_URL,
  );
  const deps: SchedulerDependencies = createSchedulerDependencies(config, logger, harness.adapters, {
    schedule: options.schedule ?? DEFAULT_WEEKLY_SCHEDULE,
  });

  return {
    table,
    config,
    clock,
    roster,
    deps,
    harness,
    sent,
    /** The real SMS webhook handler, for a test that sends a message id twice. */
    webhook,
    calendar: new CentreCalendarRepository({ client: table.client, tableName: table.tableName }),
    checkins: new CheckinRepository({ client: table.client, tableName: table.tableName }),
    /** One tick at the clock's time, then the send worker over whatever may go now. */
    async tick() {
      const report = await runSchedulerTick(deps, clock.now());
      await harness.drain();
      return report;
    },
    /** A text from a phone through the real webhook handler; returns the TwiML replies. */
    async text(from: string, body: string): Promise<string[]> {
      const result = await invoke(webhook, smsEvent(config, { from, body }));
      if (result.statusCode !== 200) throw new Error(`${body} → HTTP ${result.statusCode} ${result.body}`);
      await harness.drain();
      return result.replies;
    },
    /** Every outbound message item of the table (a test may scan; the product never does). */
    async outboundItems(): Promise<OutboundMessage[]> {
      const items: OutboundMessage[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await table.client.send(
          new ScanCommand({
            TableName: table.tableName,
            FilterExpression: 'entity = :o AND kind <> :reply',
            ExpressionAttributeValues: { ':o': 'outbound', ':reply': 'reply' },
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...((page.Items ?? []) as OutboundMessage[]));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items.sort((a, b) => a.key.localeCompare(b.key));
    },
  };
}

export type WeeklyRhythmWorld = Awaited<ReturnType<typeof weeklyRhythmWorld>>;
