import { describe, expect, it, vi } from 'vitest';
import { InProcessQueue, type InProcessQueueOptions } from '#lib/outbound/in-process-queue.ts';
import { ManualClock } from '#lib/ports/clock.ts';
import type { QueueConsumer, QueueDelivery } from '#lib/ports/send-queue.ts';

const SECOND = 1000;

function setup(overrides: Partial<Omit<InProcessQueueOptions, 'clock'>> = {}) {
  // 20:59:30 in Shanghai, so tests cross 21:00 and midnight on the clock.
  const clock = new ManualClock('2026-12-05T12:59:30Z');
  const queue = new InProcessQueue({ clock, visibilityTimeoutSeconds: 30, maxReceiveCount: 3, ...overrides });
  return { clock, queue };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('InProcessQueue', () => {
  it('makes a delayed message visible only when the delay has passed', async () => {
    const { clock, queue } = setup();
    await queue.send(['now']);
    await queue.send(['later'], 60);
    const [now] = queue.receive(10) as [QueueDelivery];
    expect(now.body).toBe('now');
    queue.delete(now);
    clock.advance(59 * SECOND);
    expect(queue.receive(10)).toEqual([]);
    clock.advance(SECOND);
    expect(queue.receive(10).map((d) => d.body)).toEqual(['later']);
  });

  it('clamps the delay to 900 s as SQS allows', async () => {
    const { clock, queue } = setup();
    await queue.send(['x'], 3600);
    clock.advance(900 * SECOND);
    expect(queue.receive()).toHaveLength(1);
  });

  it('returns at most max messages and hides them while in flight', async () => {
    const { queue } = setup();
    await queue.send(['a', 'b', 'c']);
    expect(queue.receive(2).map((d) => d.body)).toEqual(['a', 'b']);
    expect(queue.inFlight()).toBe(2);
    expect(queue.receive(10).map((d) => d.body)).toEqual(['c']);
    expect(queue.receive(10)).toEqual([]);
    expect(queue.size()).toBe(3);
  });

  it('redelivers an unfinished delivery after the visibility timeout, with a new handle and receiveCount 2', async () => {
    const { clock, queue } = setup();
    await queue.send(['{"key":"k1"}']);
    const [first] = queue.receive(1);
    // The worker "crashes": no delete, no visibility change.
    clock.advance(29 * SECOND);
    expect(queue.receive(1)).toEqual([]);
    clock.advance(SECOND);
    const [second] = queue.receive(1);
    expect(first?.receiveCount).toBe(1);
    expect(second).toMatchObject({ messageId: first?.messageId, body: '{"key":"k1"}', receiveCount: 2 });
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
  });

  it('ignores a delete with a stale receipt handle, and deletes with the current one', async () => {
    const { clock, queue } = setup();
    await queue.send(['m']);
    const [first] = queue.receive(1) as [QueueDelivery];
    clock.advance(30 * SECOND);
    const [second] = queue.receive(1) as [QueueDelivery];
    expect(queue.delete(first)).toBe(false);
    expect(queue.size()).toBe(1);
    // A stale handle cannot change visibility either.
    await queue.changeVisibility(first, 0);
    expect(queue.receive(1)).toEqual([]);
    expect(queue.delete(second)).toBe(true);
    expect(queue.size()).toBe(0);
    clock.advance(3600 * SECOND);
    expect(queue.receive(1)).toEqual([]);
  });

  it('dead-letters a message on the receive after maxReceiveCount deliveries (redrive policy)', async () => {
    const { clock, queue } = setup({ maxReceiveCount: 3 });
    await queue.send(['poison']);
    for (const expected of [1, 2, 3]) {
      const [delivery] = queue.receive(1);
      expect(delivery?.receiveCount).toBe(expected);
      clock.advance(30 * SECOND);
    }
    expect(queue.receive(1)).toEqual([]);
    expect(queue.size()).toBe(0);
    expect(queue.deadLetters).toEqual([
      expect.objectContaining({ body: 'poison', receiveCount: 3, reason: expect.stringContaining('3') }),
    ]);
  });

  it('moves a message to the dead letters on request, with the reason', async () => {
    const { queue } = setup();
    await queue.send(['a', 'b']);
    const [a] = queue.receive(1) as [QueueDelivery];
    await queue.deadLetter(a, 'failed after 5 attempts: 500');
    expect(queue.deadLetters).toEqual([
      expect.objectContaining({
        messageId: a.messageId,
        body: 'a',
        reason: 'failed after 5 attempts: 500',
        receiveCount: 1,
      }),
    ]);
    expect(queue.size()).toBe(1);
    expect(queue.delete(a)).toBe(false);
  });

  it('honours changeVisibility as a retry backoff, across quiet hours', async () => {
    const { clock, queue } = setup();
    await queue.send(['reminder']);
    const [delivery] = queue.receive(1) as [QueueDelivery];
    // Defer from 20:59:30 to 08:00 the next morning (11 h 0 m 30 s).
    await queue.changeVisibility(delivery, 11 * 3600 + 30);
    expect(queue.nextVisibleAt()).toEqual(new Date('2026-12-06T00:00:00Z'));
    clock.set('2026-12-05T23:59:59Z');
    expect(queue.receive(1)).toEqual([]);
    clock.advance(SECOND);
    expect(queue.receive(1)).toEqual([expect.objectContaining({ body: 'reminder', receiveCount: 2 })]);
  });

  it('clamps changeVisibility to 12 hours', async () => {
    const { clock, queue } = setup();
    await queue.send(['m']);
    const [delivery] = queue.receive(1) as [QueueDelivery];
    await queue.changeVisibility(delivery, 86_400);
    clock.advance(43_200 * SECOND);
    expect(queue.receive(1)).toHaveLength(1);
  });

  it('drains every visible message exactly once with the given concurrency, then stops', async () => {
    const { queue } = setup();
    await queue.send(Array.from({ length: 25 }, (_, i) => `m${i}`));
    await queue.send(['delayed'], 10);
    const seen: string[] = [];
    let active = 0;
    let maxActive = 0;
    const result = await queue.drain(
      async (delivery) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setImmediate(r)); // let the other workers start meanwhile
        seen.push(delivery.body);
        active--;
        return 'done';
      },
      { concurrency: 4, batchSize: 3 },
    );
    expect(result.processed).toBe(25);
    expect(seen.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`).sort());
    expect(maxActive).toBe(4);
    expect(queue.size()).toBe(1);
  });

  it('leaves a retried message for its backoff and a thrown one for the visibility timeout', async () => {
    const errors: unknown[] = [];
    const { clock, queue: q } = setup({ onError: (e) => errors.push(e) });
    await q.send(['retry', 'throw', 'ok']);
    const consumer: QueueConsumer = async (delivery, control) => {
      if (delivery.body === 'throw') throw new Error('boom');
      if (delivery.body === 'retry') {
        await control.changeVisibility(delivery, 5);
        return 'retry';
      }
      return 'done';
    };
    expect(await q.drain(consumer, { concurrency: 2 })).toEqual({ processed: 3 });
    expect(errors).toEqual([new Error('boom')]);
    expect(q.size()).toBe(2);

    clock.advance(5 * SECOND);
    expect(q.receive(10).map((d) => [d.body, d.receiveCount])).toEqual([['retry', 2]]);
    clock.advance(25 * SECOND);
    expect(q.receive(10).map((d) => [d.body, d.receiveCount])).toEqual([['throw', 2]]);
  });

  it('delivers a message retried with visibility 0 once per drain, not in a loop', async () => {
    const { queue } = setup();
    await queue.send(['again']);
    const consumer = vi.fn<QueueConsumer>(async (delivery, control) => {
      await control.changeVisibility(delivery, 0);
      return 'retry';
    });
    expect(await queue.drain(consumer, { concurrency: 3 })).toEqual({ processed: 1 });
    expect(await queue.drain(consumer, { concurrency: 3 })).toEqual({ processed: 1 });
    expect(consumer.mock.calls.map(([d]) => d.receiveCount)).toEqual([1, 2]);
  });

  it('delivers messages sent while draining in the same drain', async () => {
    const { queue } = setup();
    await queue.send(['first']);
    const seen: string[] = [];
    await queue.drain(
      async (delivery) => {
        seen.push(delivery.body);
        if (delivery.body === 'first') await queue.send(['follow-up']);
        return 'done';
      },
      { concurrency: 1 },
    );
    expect(seen).toEqual(['first', 'follow-up']);
  });

  it('keeps a slot that found the queue empty for a message sent while another slot is at work', async () => {
    const { queue } = setup();
    await queue.send(['slow']);
    const gate = deferred();
    const started: string[] = [];
    const draining = queue.drain(
      async (delivery) => {
        started.push(delivery.body);
        if (delivery.body === 'slow') await gate.promise;
        return 'done';
      },
      { concurrency: 2, batchSize: 1 },
    );
    await vi.waitFor(() => expect(started).toEqual(['slow']));
    await queue.send(['sent meanwhile']);
    // The second slot takes it while 'slow' still holds the first: it did not leave when it found nothing.
    await vi.waitFor(() => expect(started).toEqual(['slow', 'sent meanwhile']));
    gate.resolve();
    expect(await draining).toEqual({ processed: 2 });
    expect(queue.size()).toBe(0);
  });

  it('with until, waits on an empty queue for the producers and ends when they are done and it is empty', async () => {
    const { queue } = setup();
    const producers = deferred();
    const seen: string[] = [];
    let ended = false;
    const draining = queue
      .drain(
        async (delivery) => {
          seen.push(delivery.body);
          return 'done';
        },
        { concurrency: 3, until: producers.promise },
      )
      .then((result) => {
        ended = true;
        return result;
      });
    await new Promise((r) => setImmediate(r));
    expect(ended).toBe(false); // nothing sent yet, and the producers are not done
    await queue.send(['a']);
    await vi.waitFor(() => expect(seen).toEqual(['a']));
    await queue.send(['b', 'c']);
    await vi.waitFor(() => expect(seen).toEqual(['a', 'b', 'c']));
    expect(ended).toBe(false);
    producers.resolve();
    expect(await draining).toEqual({ processed: 3 });
  });

  it('with until, stops on the signal while waiting for the producers', async () => {
    const { queue } = setup();
    const abort = new AbortController();
    const draining = queue.drain(async () => 'done', {
      concurrency: 2,
      until: new Promise(() => {}),
      signal: abort.signal,
    });
    await new Promise((r) => setImmediate(r));
    abort.abort();
    expect(await draining).toEqual({ processed: 0 });
  });

  it('can deliver a message twice at once, as SQS may; either handle deletes it', async () => {
    const { clock, queue } = setup();
    await queue.send(['dup', 'other']);
    queue.duplicateNext();
    const deliveries = queue.receive(10);
    expect(deliveries.map((d) => d.body)).toEqual(['dup', 'dup', 'other']);
    const [a, b] = deliveries as [QueueDelivery, QueueDelivery];
    expect(a.messageId).toBe(b.messageId);
    expect(a.receiptHandle).not.toBe(b.receiptHandle);
    expect(queue.delete(b)).toBe(true);
    clock.advance(30 * SECOND);
    expect(queue.receive(10).map((d) => d.body)).toEqual(['other']);
  });

  it('hands a duplicated delivery to two concurrent consumers in a drain', async () => {
    const { queue } = setup();
    await queue.send(['dup']);
    queue.duplicateNext();
    const gate = deferred();
    let concurrent = 0;
    let maxConcurrent = 0;
    const consumer = async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      if (concurrent === 2) gate.resolve();
      // Each waits for the other: a drain that handed them out one at a time would never finish.
      await gate.promise;
      concurrent--;
      return 'done' as const;
    };
    expect(await queue.drain(consumer, { concurrency: 2, batchSize: 1 })).toEqual({ processed: 2 });
    expect(maxConcurrent).toBe(2);
    expect(queue.size()).toBe(0);
  });

  it('start takes a message as soon as it is sent, not at the next poll', async () => {
    const { queue } = setup();
    const started: string[] = [];
    queue.start(
      async (delivery) => {
        started.push(delivery.body);
        return 'done';
      },
      { concurrency: 2, pollMs: 60_000 },
    );
    try {
      await queue.send(['first']);
      await vi.waitFor(() => expect(started).toEqual(['first']), { timeout: 500 });
      // Between passes too: the pass that took 'first' has ended.
      await vi.waitFor(() => expect(queue.size()).toBe(0), { timeout: 500 });
      await queue.send(['second']);
      await vi.waitFor(() => expect(started).toEqual(['first', 'second']), { timeout: 500 });
    } finally {
      await queue.stop();
    }
  });

  it('start polls and drains; stop waits for the delivery in progress and starts no more', async () => {
    // The poll runs on timers: fake ones, so "starts no more" is shown by moving time past several
    // polls, not by waiting (vi.waitFor moves them too).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { queue } = setup();
      const gate = deferred();
      const started: string[] = [];
      queue.start(
        async (delivery) => {
          started.push(delivery.body);
          if (delivery.body === 'slow') await gate.promise;
          return 'done';
        },
        { concurrency: 1, pollMs: 5 },
      );
      expect(() => queue.start(async () => 'done', { concurrency: 1, pollMs: 5 })).toThrow(/already started/);
      await queue.send(['fast']);
      await vi.waitFor(() => expect(queue.size()).toBe(0));
      await queue.send(['slow', 'queued-behind']);
      await vi.waitFor(() => expect(started).toContain('slow'));

      let stopped = false;
      const stopping = queue.stop().then(() => {
        stopped = true;
      });
      await vi.advanceTimersByTimeAsync(50);
      expect(stopped).toBe(false);
      gate.resolve();
      await stopping;
      expect(started).toEqual(['fast', 'slow']);
      // 'queued-behind' was received with 'slow' but not started: it is handed back, visible.
      expect(queue.size()).toBe(1);
      expect(queue.inFlight()).toBe(0);
      await vi.advanceTimersByTimeAsync(50);
      expect(started).toEqual(['fast', 'slow']);
    } finally {
      vi.useRealTimers();
    }
  });
});
