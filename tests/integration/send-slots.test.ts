// The send worker's slots (withSendSlots): only the provider call holds a slot, so the next delivery
// is read and claimed while the slot's send is in flight, and no more sends than slots are ever in
// flight. Claims on DynamoDB Local; the provider is a channel whose sends the test answers.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type Config, loadConfig } from '#lib/config/core.ts';
import { seedDemoRoster } from '#lib/local/demo/demo-roster.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { processDelivery, withSendSlots } from '#lib/outbound/send-worker.ts';
import type { OutboundChannel } from '#lib/ports/channel.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { outboundHarness } from '#tests/support/outbound-harness.ts';
import { createTestTable, type TestTable } from '#tests/support/test-table.ts';

// 10:00 on a Saturday in Asia/Shanghai (UTC+8): no quiet hours.
const clock = new ManualClock('2026-12-05T02:00:00Z');
let table: TestTable;
let config: Config;

/** A provider that holds every send until the test answers it. */
class AnsweredChannel implements OutboundChannel {
  readonly name = 'sms' as const;
  readonly started: string[] = [];
  #inFlight = 0;
  mostInFlight = 0;
  readonly #answers = new Map<string, () => void>();

  async send(to: string) {
    this.started.push(to);
    this.#inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.#inFlight);
    await new Promise<void>((resolve) => this.#answers.set(to, resolve));
    this.#inFlight--;
    return { providerId: `SM${to.slice(-4)}` };
  }

  answer(to: string): void {
    const answer = this.#answers.get(to);
    if (!answer) throw new Error(`no send to ${to} in flight`);
    answer();
  }
}

beforeAll(async () => {
  table = await createTestTable();
  config = loadConfig({
    LIANXIN_ENV: 'local',
    PUBLIC_URL: 'http://127.0.0.1:9',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
  });
});

describe('send slots', () => {
  it('claims the next message while a send is in flight, never sends more at once than slots, sends each once', async () => {
    const provider = new AnsweredChannel();
    const harness = outboundHarness(config, table, clock, provider);
    const roster = new RosterRepository({ client: table.client, tableName: table.tableName });
    await seedDemoRoster(roster);
    const service = new OutboundService({
      repository: harness.worker.repository,
      queue: harness.queue,
      clock,
      logger: harness.worker.logger,
    });
    const parents = [1, 2, 3].map((i) => ({ contactId: `contact-slot-${i}`, address: `+86139000020${i}0` }));
    const keys: string[] = [];
    for (const [i, p] of parents.entries()) {
      await roster.putContact({
        contactId: p.contactId,
        centreId: 'centre-shimen',
        name: `测试家长${i}`,
        role: 'parent',
        language: 'zh-CN',
        addresses: [{ channel: 'sms', address: p.address }],
        familyIds: ['family-li'],
      });
      const key = `slots#${p.contactId}`;
      keys.push(key);
      await service.enqueue({
        key,
        recipient: { contactId: p.contactId, channel: 'sms', address: p.address },
        body: '【连心】本周儿童之家活动：周六上午做手工。',
        kind: 'broadcast',
      });
    }
    const status = async (key: string) => (await harness.worker.repository.get(key))?.status;

    const slotted = withSendSlots(harness.worker, 1);
    expect(slotted.concurrency).toBe(2);
    const drained = harness.queue.drain((d, c) => processDelivery(d, c, slotted.deps), {
      concurrency: slotted.concurrency,
    });

    // The first send is in flight; behind it, one more message is claimed and waits for the slot.
    await vi.waitFor(() => expect(provider.started).toHaveLength(1), { timeout: 10_000 });
    const [first] = provider.started;
    await vi.waitFor(
      async () => {
        const statuses = await Promise.all(keys.map(status));
        expect(statuses.filter((s) => s === 'sending')).toHaveLength(2);
        expect(statuses.filter((s) => s === 'queued')).toHaveLength(1);
      },
      { timeout: 10_000 },
    );
    expect(provider.started).toEqual([first]);

    provider.answer(first ?? '');
    await vi.waitFor(() => expect(provider.started).toHaveLength(2), { timeout: 10_000 });
    provider.answer(provider.started[1] ?? '');
    await vi.waitFor(() => expect(provider.started).toHaveLength(3), { timeout: 10_000 });
    provider.answer(provider.started[2] ?? '');
    await drained;

    expect(provider.mostInFlight).toBe(1);
    expect([...provider.started].sort()).toEqual(parents.map((p) => p.address).sort());
    expect(await Promise.all(keys.map(status))).toEqual(['sent', 'sent', 'sent']);
  });
});
