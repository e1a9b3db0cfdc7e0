import {
  type EnqueueRequest,
  newOutboundMessage,
  type OutboundMessage,
  toSendInstruction,
} from '#lib/domain/outbound-message.ts';
import type { Logger } from '#lib/observability/logger.ts';
import type { Clock } from '#lib/ports/clock.ts';
import type { BatchOutboundPort, OutboundPort } from '#lib/ports/outbound.ts';
import type { SendQueue } from '#lib/ports/send-queue.ts';
import type { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';

const MAX_QUEUE_DELAY_SECONDS = 900;
/** After a sweep, the next look at the same message (if it is still waiting then). */
const RESWEEP_MS = 3_600_000;

/**
 * `enqueue`, the one way a feature sends a message: the message item is created with a
 * conditional put (so a key is only ever enqueued once), then handed to the send queue.
 */
export class OutboundService implements OutboundPort, BatchOutboundPort {
  constructor(
    private readonly deps: {
      repository: DynamoOutboundRepository;
      queue: SendQueue;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  async enqueue(request: EnqueueRequest): Promise<boolean> {
    const now = this.deps.clock.now();
    const message = newOutboundMessage(request, now);
    if (!(await this.deps.repository.create(message))) {
      // Still queued: the first enqueue may have died between the put and the queue send, which
      // would leave the message with no queue message for ever. Hand it to the queue again; the
      // worker's claim makes a second queue message for one key harmless.
      const existing = await this.deps.repository.get(message.key);
      if (existing?.status !== 'queued') {
        this.deps.logger.info('already enqueued; nothing to do', {
          key: message.key,
          status: existing?.status,
        });
        return false;
      }
      await this.deps.queue.send(
        [JSON.stringify(toSendInstruction(existing))],
        this.#delaySeconds(existing, now),
      );
      this.deps.logger.warn('already enqueued but still queued; handed to the queue again', {
        key: message.key,
      });
      return false;
    }
    // If this fails the item stays `queued`; the caller's retry (same key) hands it over again.
    await this.deps.queue.send(
      [JSON.stringify(toSendInstruction(message))],
      this.#delaySeconds(message, now),
    );
    this.deps.logger.info('enqueued', {
      key: message.key,
      kind: message.kind,
      to: message.address,
      segments: message.segments,
    });
    return true;
  }

  /**
   * Many messages at once (a broadcast's page of recipients): each created with its own conditional
   * put, then handed to the queue in batches (SQS takes ten a request). Returns how many were new.
   * As with `enqueue`, a key still `queued` from an interrupted run is handed to the queue again.
   */
  async enqueueMany(requests: readonly EnqueueRequest[], concurrency = 16): Promise<number> {
    const now = this.deps.clock.now();
    const toQueue: OutboundMessage[] = [];
    let created = 0;
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++];
        if (!request) break;
        const message = newOutboundMessage(request, now);
        if (await this.deps.repository.create(message)) {
          created++;
          toQueue.push(message);
          continue;
        }
        const existing = await this.deps.repository.get(message.key);
        if (existing?.status === 'queued') toQueue.push(existing);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
    const byDelay = new Map<number, string[]>();
    for (const m of toQueue) {
      const delay = this.#delaySeconds(m, now);
      const bodies = byDelay.get(delay) ?? [];
      bodies.push(JSON.stringify(toSendInstruction(m)));
      byDelay.set(delay, bodies);
    }
    for (const [delay, bodies] of byDelay) await this.deps.queue.send(bodies, delay);
    this.deps.logger.info('enqueued a batch', { requested: requests.length, created });
    return created;
  }

  /**
   * The sweeper (on the scheduler tick): a message the due index shows past the time it should have
   * gone. Still `queued` (its queue message may never have been sent), or claimed by a worker that
   * stopped longer ago than `claimTimeoutSeconds`: handed to the queue once more, after the due time
   * has moved an hour on (one tick wins; the claim makes a second queue message harmless, and a stale
   * claim is recorded `unknown`, never resent). Sent or otherwise settled: taken out of the index.
   */
  async recoverStranded(
    row: { key: string; dueKey: string },
    claimTimeoutSeconds: number,
  ): Promise<'requeued' | 'later' | 'settled'> {
    const now = this.deps.clock.now();
    const m = await this.deps.repository.get(row.key);
    if (!m || (m.status !== 'queued' && m.status !== 'sending')) {
      await this.deps.repository.moveDue(row.key, row.dueKey, undefined);
      return 'settled';
    }
    const claimEnds = m.claimedAt ? Date.parse(m.claimedAt) + claimTimeoutSeconds * 1000 : 0;
    if (m.status === 'sending' && claimEnds > now.getTime()) {
      await this.deps.repository.moveDue(row.key, row.dueKey, new Date(claimEnds + RESWEEP_MS));
      return 'later';
    }
    if (!(await this.deps.repository.moveDue(row.key, row.dueKey, new Date(now.getTime() + RESWEEP_MS)))) {
      return 'later';
    }
    await this.deps.queue.send([JSON.stringify(toSendInstruction(m))], this.#delaySeconds(m, now));
    this.deps.logger.warn('stranded message handed to the queue again', { key: m.key, status: m.status });
    return 'requeued';
  }

  /** Later than the queue's own delay allows: the worker hides it again until notBefore. */
  #delaySeconds(message: { notBefore: string }, now: Date): number {
    return Math.min(
      MAX_QUEUE_DELAY_SECONDS,
      Math.max(0, Math.ceil((Date.parse(message.notBefore) - now.getTime()) / 1000)),
    );
  }
}
