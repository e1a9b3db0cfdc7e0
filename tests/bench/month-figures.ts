// `npm run bench -- month`: the month of the weekly rhythm (the demo roster, four weeks of December
// 2026, an hourly tick, the real SMS webhook and send path on DynamoDB Local), once with every carer
// answering step by step and once in one message. Every message each family got is priced by its
// mainland template: billed segments per family per week, for both forms.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { LocalOutbox } from '#lib/channels/local-outbox.ts';
import type { CheckinForm } from '#lib/domain/model.ts';
import type { OutboundMessage } from '#lib/domain/outbound-message.ts';
import { renderMainlandSms } from '#lib/domain/sms-templates.ts';
import { DEFAULT_WEEKLY_SCHEDULE } from '#lib/domain/weekly-schedule.ts';
import { createSmsWebhookHandler } from '#lib/http/twilio-sms-webhook.ts';
import { DEMO_ROSTER, seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { createLogger } from '#lib/observability/logger.ts';
import type { OutboundChannel } from '#lib/ports/channel.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { runSchedulerTick } from '#lib/schedule/scheduler-tick.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { createSchedulerDependencies } from '#lib/wiring/scheduler-tick.ts';
import { createSmsWebhookDependencies } from '#lib/wiring/sms-webhook.ts';
import { startBenchTable } from '#tests/bench/bench-table.ts';
import type { Figure } from '#tests/bench/figures.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { invoke, smsEvent } from '#tests/support/sms-webhook.ts';

const HOUR = 3_600_000;
const START = Date.parse('2026-11-30T00:00:00+08:00');
const WEEKS = 4;

/** What a carer replies to one child's questions, in each form: a plausible week, no free text. */
const CHILD_REPLIES: Record<CheckinForm, string[]> = {
  steps: ['4', '1', '2', '1', '1'],
  'one-message': ['4 1 2 1 1'],
};

export async function monthFigures(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const form of ['steps', 'one-message'] as const) {
    const perFamily = await runMonth(form);
    const families = Object.keys(perFamily).sort();
    for (const family of families) {
      figures.push({
        name: `month: ${family}, billed segments per week (${form})`,
        value: (perFamily[family] ?? 0) / WEEKS,
        unit: 'segs',
      });
    }
    const total = families.reduce((sum, f) => sum + (perFamily[f] ?? 0), 0);
    figures.push({
      name: `month: billed segments per family per week, mean (${form})`,
      value: total / families.length / WEEKS,
      unit: 'segs',
    });
  }
  return figures;
}

/** Billed segments by family over the month, every carer answering in `form`. */
async function runMonth(form: CheckinForm): Promise<Record<string, number>> {
  const bench = await startBenchTable(`bench-month-${form}`);
  try {
    const { client, config } = bench;
    const tableName = config.TABLE_NAME;
    const clock = new ManualClock(new Date(START).toISOString());
    const roster = new RosterRepository({ client, tableName });
    await seedDemoRoster(roster);
    const carers = DEMO_ROSTER.contacts.filter((c) => c.role === 'carer');
    if (form === 'one-message') {
      for (const c of carers) {
        const stored = await roster.getContact(c.contactId);
        if (stored) await roster.putContact({ ...stored, checkinForm: 'one-message' });
      }
    }
    const sent: { to: string; at: number }[] = [];
    const outbox = new LocalOutbox();
    const channel: OutboundChannel = {
      name: 'local',
      send: async (to, body) => {
        sent.push({ to, at: clock.now().getTime() });
        return outbox.send(to, body);
      },
    };
    const harness = outboundHarness(
      config,
      { client, tableName, endpoint: '', requests: [] },
      clock,
      channel,
    );
    const logger = createLogger('bench-month');
    logger.setLogLevel('SILENT');
    const webhook = createSmsWebhookHandler(
      createSmsWebhookDependencies(config, logger, {}, harness.adapters),
      config.PUBLIC_URL,
    );
    const deps = createSchedulerDependencies(config, logger, harness.adapters, {
      schedule: DEFAULT_WEEKLY_SCHEDULE,
    });
    const text = async (from: string, body: string) => {
      await invoke(webhook, smsEvent(config, { from, body }));
      await harness.drain();
    };

    // Each carer answers the week's check-in within the hour its invitation arrives.
    const answered = new Set<string>();
    let seen = 0;
    for (let at = START; at < START + WEEKS * 7 * 24 * HOUR; at += HOUR) {
      clock.set(new Date(at));
      await runSchedulerTick(deps, clock.now());
      await harness.drain();
      const fresh = sent.slice(seen);
      seen = sent.length;
      for (const carer of carers) {
        const phone = carer.addresses.find((a) => a.channel === 'sms')?.address;
        const week = Math.floor((at - START) / (7 * 24 * HOUR));
        if (!phone || answered.has(`${phone}#${week}`) || !fresh.some((m) => m.to === phone)) continue;
        answered.add(`${phone}#${week}`);
        const view = await roster.getContactView('sms', phone);
        for (const _ of view?.children ?? []) {
          for (const reply of CHILD_REPLIES[form]) await text(phone, reply);
          // Step by step the free text closes each child; in one message it is asked once, at the end.
          if (form === 'steps') await text(phone, '0');
        }
        if (form === 'one-message') await text(phone, '0');
      }
    }

    const familyOf = new Map<string, string>();
    for (const c of DEMO_ROSTER.contacts) {
      const family = c.familyIds?.[0];
      if (family && c.role !== 'coordinator') familyOf.set(c.contactId, family);
    }
    const perFamily: Record<string, number> = {};
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: 'entity = :o',
          ExpressionAttributeValues: { ':o': 'outbound' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of (page.Items ?? []) as OutboundMessage[]) {
        const family = familyOf.get(item.contactId);
        if (family === undefined) continue;
        perFamily[family] = (perFamily[family] ?? 0) + renderMainlandSms(item.kind, item.body).segments;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return perFamily;
  } finally {
    await bench.stop();
  }
}
