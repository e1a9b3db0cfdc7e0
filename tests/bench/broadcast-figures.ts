// A broadcast to a large roster: the preview and the fan-out's planning over 50,000 recipients, and
// the full fan-out (a conditional put per message) over a smaller Centre. The planner reads only the
// Centres' membership links, so the bench seeds those (as the roster writes them) and no profiles.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BroadcastService } from '#lib/broadcasts/broadcast-service.ts';
import { broadcastPricing } from '#lib/config/broadcast.ts';
import type { BroadcastTarget, BroadcastTexts } from '#lib/domain/broadcast.ts';
import type { ChildCategory } from '#lib/domain/model.ts';
import type { EnqueueRequest } from '#lib/domain/outbound-message.ts';
import { createLogger } from '#lib/observability/logger.ts';
import { InProcessQueue } from '#lib/outbound/in-process-queue.ts';
import { OutboundService } from '#lib/outbound/outbound-service.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { BatchOutboundPort } from '#lib/ports/outbound.ts';
import { BroadcastRepository } from '#lib/store/broadcasts/broadcast-repository.ts';
import { keys } from '#lib/store/keys.ts';
import { RosterRepository } from '#lib/store/roster/roster-repository.ts';
import { outboundRepository } from '#lib/wiring/adapters.ts';
import { seedItems, startBenchTable } from '#tests/bench/bench-table.ts';
import type { Figure } from '#tests/bench/figures.ts';

const SEED_CONCURRENCY = 16;
/** Saturday 10:00 in Asia/Shanghai. */
const NOW = new Date('2026-12-05T02:00:00Z');
const TEXTS: BroadcastTexts = {
  'zh-CN': '本周六上午九点在儿童之家举办亲子读书会，欢迎爷爷奶奶带孩子来参加。',
  en: 'Family reading morning at the Centre this Saturday at 9:00. Grandparents and children welcome.',
};
const everyone = (centreIds: string[]): BroadcastTarget => ({
  centreIds,
  roles: ['carer', 'parent'],
  categories: [],
  languages: [],
});

interface Seeded {
  /** Carers and parents (the broadcast's targeted members; two coordinators a Centre besides). */
  members: number;
  /** Those of them a broadcast reaches: not opted out, with a valid address. */
  reachable: number;
  optedOut: number;
  invalidAddress: number;
}

/**
 * Seeds `members` carers and parents over two Centres and runs the preview and the fan-out's
 * planning over all of them; then the full fan-out, message items and queue included, for a third
 * Centre of `fullFanOut` members.
 */
export async function broadcastFigures(members = 50_000, fullFanOut = 5_000): Promise<Figure[]> {
  const bench = await startBenchTable('bench-broadcast');
  const { client, config, requests } = bench;
  try {
    const logger = createLogger('bench-broadcast');
    logger.setLogLevel('SILENT');
    const clock = new ManualClock(NOW);
    const tableName = config.TABLE_NAME;
    const roster = new RosterRepository({ client, tableName });
    const broadcasts = new BroadcastRepository({ client, tableName });
    const big = ['bench-centre-a', 'bench-centre-b'];
    const small = 'bench-centre-c';
    // The Centres first: putCentre refreshes every member's projection, and there are none yet.
    for (const [i, centreId] of [...big, small].entries()) {
      await roster.putCentre({
        centreId,
        name: `${['石门村', '大坪村', '小溪村'][i]}儿童之家`,
        village: ['石门村', '大坪村', '小溪村'][i] ?? '',
        phone: `0731-8888 000${i + 1}`,
      });
    }

    const seeded = performance.now();
    const half = Math.floor(members / 2);
    const a = await seedMembers(client, tableName, big[0] ?? '', half);
    const b = await seedMembers(client, tableName, big[1] ?? '', members - half);
    const c = await seedMembers(client, tableName, small, fullFanOut);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const inBig = sum(a, b);
    const figures: Figure[] = [
      {
        name: `broadcast bench: seeding ${members + fullFanOut} membership links in 3 Centres`,
        value: seedSeconds,
        unit: 's',
      },
    ];

    // 1. The preview over both big Centres.
    const pricing = broadcastPricing(config);
    const counting = new CountingOutbound();
    const planner = new BroadcastService({ broadcasts, roster, outbound: counting, clock, logger, pricing });
    requests.count = 0;
    let started = performance.now();
    const preview = await planner.preview(everyone(big), TEXTS);
    let ms = performance.now() - started;
    expectCounts('preview', preview.recipients, preview.excluded, inBig);
    const previewName = `broadcast preview, ${members} carers and parents in 2 Centres (${preview.recipients} reachable)`;
    figures.push(
      { name: `${previewName}: wall time`, value: ms / 1000, unit: 's' },
      { name: `${previewName}: DynamoDB requests`, value: requests.count, unit: 'req' },
      {
        name: `${previewName}: DynamoDB requests per 1,000 members`,
        value: (requests.count / members) * 1000,
        unit: 'req',
      },
    );

    // 2. The fan-out's planning over the same members: recipient items and progress are written,
    // the messages are counted, not written (no outbound items, no queue).
    const planned = await approved(broadcasts, big, 'bench-planning');
    requests.count = 0;
    started = performance.now();
    const planning = await planner.fanOut(planned, { budgetMs: 3_600_000 });
    ms = performance.now() - started;
    if (planning !== 'sent') throw new Error(`planning fan-out ended ${planning}`);
    if (counting.messages !== inBig.reachable) {
      throw new Error(`planning handed over ${counting.messages} messages, expected ${inBig.reachable}`);
    }
    const planningName = `broadcast fan-out planning, ${members} members (${counting.messages} messages counted, not written)`;
    figures.push(
      { name: `${planningName}: wall time`, value: ms / 1000, unit: 's' },
      {
        name: `${planningName}: DynamoDB requests (link reads, recipient writes, progress)`,
        value: requests.count,
        unit: 'req',
      },
      {
        name: `${planningName}: DynamoDB requests per 1,000 members`,
        value: (requests.count / members) * 1000,
        unit: 'req',
      },
      { name: `${planningName}: members per second`, value: members / (ms / 1000), unit: '/s' },
    );

    // 3. The full fan-out over the small Centre: the real OutboundService (a conditional put per
    // message) and an in-process queue standing in for SQS.
    const queue = new InProcessQueue({ clock, visibilityTimeoutSeconds: 600, maxReceiveCount: 10 });
    const outbound = new MeteredOutbound(
      new OutboundService({
        repository: outboundRepository(config, { client, clock }),
        queue,
        clock,
        logger,
      }),
      requests,
    );
    const sender = new BroadcastService({ broadcasts, roster, outbound, clock, logger, pricing });
    const full = await approved(broadcasts, [small], 'bench-full');
    requests.count = 0;
    started = performance.now();
    const sent = await sender.fanOut(full, { budgetMs: 3_600_000 });
    ms = performance.now() - started;
    if (sent !== 'sent') throw new Error(`full fan-out ended ${sent}`);
    if (outbound.created !== c.reachable || queue.size() !== c.reachable) {
      throw new Error(
        `full fan-out created ${outbound.created}, queued ${queue.size()}; expected ${c.reachable}`,
      );
    }
    const fullName = `broadcast full fan-out, ${fullFanOut} members, ${outbound.created} messages enqueued`;
    figures.push(
      { name: `${fullName}: wall time`, value: ms / 1000, unit: 's' },
      { name: `${fullName}: DynamoDB requests`, value: requests.count, unit: 'req' },
      {
        name: `${fullName}: DynamoDB requests per message`,
        value: requests.count / outbound.created,
        unit: 'req',
      },
      {
        name: `${fullName}: of which enqueueing, per message`,
        value: outbound.requests / outbound.created,
        unit: 'req',
      },
      { name: `${fullName}: messages per second`, value: outbound.created / (ms / 1000), unit: '/s' },
    );
    return figures;
  } finally {
    await bench.stop();
  }
}

/** Counts what it is handed and writes nothing: the planning without the messages. */
class CountingOutbound implements BatchOutboundPort {
  messages = 0;
  async enqueueMany(requests: readonly EnqueueRequest[]): Promise<number> {
    this.messages += requests.length;
    return requests.length;
  }
}

/** The real enqueue, with the DynamoDB requests it makes counted apart (the fan-out is sequential). */
class MeteredOutbound implements BatchOutboundPort {
  created = 0;
  requests = 0;
  readonly #inner: BatchOutboundPort;
  readonly #counter: { count: number };
  constructor(inner: BatchOutboundPort, counter: { count: number }) {
    this.#inner = inner;
    this.#counter = counter;
  }
  async enqueueMany(requests: readonly EnqueueRequest[]): Promise<number> {
    const before = this.#counter.count;
    const created = await this.#inner.enqueueMany(requests);
    this.requests += this.#counter.count - before;
    this.created += created;
    return created;
  }
}

/** A broadcast to every carer and parent of the Centres, approved to go now. */
async function approved(broadcasts: BroadcastRepository, centreIds: string[], broadcastId: string) {
  const created = await broadcasts.create({
    broadcastId,
    centreIds,
    target: everyone(centreIds),
    texts: TEXTS,
    source: 'api',
    createdBy: 'bench',
    createdAt: NOW.toISOString(),
    preview: {},
  });
  if (!created || (await broadcasts.approve(broadcastId, 'bench', NOW, NOW)) !== 'done') {
    throw new Error(`could not approve ${broadcastId}`);
  }
  return broadcastId;
}

function expectCounts(
  what: string,
  recipients: number,
  excluded: { optedOut: number; invalidAddress: number; noAddress: number; noText: number },
  seeded: Seeded,
) {
  if (
    recipients !== seeded.reachable ||
    excluded.optedOut !== seeded.optedOut ||
    excluded.invalidAddress !== seeded.invalidAddress ||
    excluded.noAddress + excluded.noText !== 0
  ) {
    throw new Error(
      `${what}: ${recipients} recipients, ${JSON.stringify(excluded)}; seeded ${JSON.stringify(seeded)}`,
    );
  }
}

const sum = (x: Seeded, y: Seeded): Seeded => ({
  members: x.members + y.members,
  reachable: x.reachable + y.reachable,
  optedOut: x.optedOut + y.optedOut,
  invalidAddress: x.invalidAddress + y.invalidAddress,
});

const CATEGORY_MIX: ChildCategory[][] = [
  ['both-away'],
  ['both-away'],
  ['one-away'],
  ['with-parents'],
  ['both-away', 'one-away'],
];

/**
 * A Centre's membership links (`CENTRE#<id>` / `CONTACT#<id>`), as the roster writes them: the
 * member link plus the planner's fields (see broadcastFields in roster-repository.ts). About 60%
 * carers and 40% parents, 10% English readers, 15% on WeChat, 1% opted out, 0.5% whose only
 * address is known invalid, a few with quiet hours; and two coordinators, whom no broadcast targets.
 */
async function seedMembers(
  client: DynamoDBDocumentClient,
  table: string,
  centreId: string,
  members: number,
): Promise<Seeded> {
  const seeded: Seeded = { members, reachable: 0, optedOut: 0, invalidAddress: 0 };
  const tag = centreId.slice(-1);
  const items = function* () {
    for (let i = 0; i < members + 2; i++) {
      const coordinator = i >= members;
      const contactId = `bench-${tag}-${i}`;
      const role = coordinator ? 'coordinator' : i % 5 < 3 ? 'carer' : 'parent';
      const optedOut = !coordinator && i % 100 === 7;
      const invalid = !coordinator && i % 200 === 3;
      const wechat = i % 20 < 3;
      const channel = invalid ? null : wechat ? 'wechat' : 'sms';
      const address = invalid
        ? null
        : wechat
          ? `o-bench-${tag}-${i}`
          : `+86139${tag.charCodeAt(0) % 10}${String(i).padStart(7, '0')}`;
      if (!coordinator) {
        if (optedOut) seeded.optedOut++;
        else if (invalid) seeded.invalidAddress++;
        else seeded.reachable++;
      }
      yield {
        ...keys.centreContact(centreId, contactId),
        entity: 'member',
        contactId,
        role,
        name: role === 'parent' ? '爸爸' : '奶奶',
        language: i % 10 === 9 ? 'en' : 'zh-CN',
        optedOut,
        categories: coordinator ? [] : CATEGORY_MIX[i % CATEGORY_MIX.length],
        channel,
        address,
        invalid,
        quietHours: role === 'parent' && i % 7 === 0 ? { start: '08:00', end: '16:00' } : null,
      };
    }
  };
  await seedItems(client, table, items(), SEED_CONCURRENCY);
  return seeded;
}
