import { randomUUID } from 'node:crypto';
import type { Clock } from '#lib/ports/clock.ts';
import {
  type DeliveryResult,
  type QueueConsumer,
  type QueueControl,
  type QueueDelivery,
  type SendQueue,
  SQS_MAX_DELAY_SECONDS,
  SQS_MAX_VISIBILITY_SECONDS,
  VisibilityLimitExceeded,
} from '#lib/ports/send-queue.ts';

/** A message that left the queue for the dead-letter list, and why. */
export interface DeadLetter {
  messageId: string;
  body: string;
  reason: string;
  /** Deliveries the message had when it was dead-lettered. */
  receiveCount: number;
  at: Date;
}

export interface InProcessQueueOptions {
  clock: Clock;
  /** How long a received message stays hidden unless the consumer changes it (SQS: 0..43200). */
  visibilityTimeoutSeconds: number;
  /** Redrive policy: a message already received this many times is dead-lettered on its next receive. */
  maxReceiveCount: number;
  /** Told about errors a consumer throws (the delivery is then retried); silent by default. */
  onError?: ((error: unknown, delivery: QueueDelivery) => void) | undefined;
}

interface StoredMessage {
  messageId: string;
  body: string;
  /** Epoch ms from the clock; visible when `visibleAt <= now`. */
  visibleAt: number;
  receiveCount: number;
  /** Handles that may delete it: the latest delivery's, or both of a duplicated delivery. */
  handles: Set<string>;
  /** Set by `duplicateNext`: the next receive delivers it once more while it is in flight. */
  duplicatePending: boolean;
  /** Epoch ms of the first receive: visibility is capped at 12 h from it, as on SQS. */
  firstReceivedAt: number | undefined;
}

interface Running {
  abort: AbortController;
  timer: NodeJS.Timeout | undefined;
  pass: Promise<unknown>;
  /** Starts the next pass when a message is sent between passes. */
  onSend: () => void;
}

const MAX_DELAY_SECONDS = SQS_MAX_DELAY_SECONDS;
const MAX_VISIBILITY_SECONDS = SQS_MAX_VISIBILITY_SECONDS;

const clampSeconds = (seconds: number, max: number): number =>
  Number.isFinite(seconds) ? Math.min(max, Math.max(0, Math.round(seconds))) : 0;

/**
 * An in-memory send queue with the at-least-once semantics of an SQS standard queue, for
 * `npm start` and tests: delayed sends, a visibility timeout (an unfinished delivery comes back
 * with a new receipt handle and a higher receive count), stale receipt handles ignored, a
 * redrive policy to the dead-letter list, and injectable duplicate deliveries. Time comes only
 * from the clock, so a test can move a ManualClock across hours; order is send order, as a best
 * effort (as on SQS, nothing relies on it).
 */
export class InProcessQueue implements SendQueue, QueueControl {
  readonly #options: InProcessQueueOptions;
  readonly #messages = new Map<string, StoredMessage>();
  readonly #deadLetters: DeadLetter[] = [];
  #duplicatesToInject = 0;
  #running: Running | undefined;
  /** Called after every send: drains waiting for messages, and `start` between its passes. */
  readonly #onSend = new Set<() => void>();

  constructor(options: InProcessQueueOptions) {
    this.#options = options;
  }

  /** Dead-lettered messages, oldest first. */
  get deadLetters(): readonly DeadLetter[] {
    return this.#deadLetters;
  }

  async send(bodies: string[], delaySeconds = 0): Promise<void> {
    const visibleAt = this.#now() + clampSeconds(delaySeconds, MAX_DELAY_SECONDS) * 1000;
    for (const body of bodies) {
      const messageId = randomUUID();
      this.#messages.set(messageId, {
        messageId,
        body,
        visibleAt,
        receiveCount: 0,
        handles: new Set(),
        duplicatePending: false,
        firstReceivedAt: undefined,
      });
    }
    for (const wake of [...this.#onSend]) wake();
  }

  /**
   * Receives up to `max` visible messages and hides each for the visibility timeout. A message
   * already received `maxReceiveCount` times is dead-lettered instead of delivered.
   */
  receive(max = 10): QueueDelivery[] {
    return this.#receive(max, new Set());
  }

  /** Deletes the message if this delivery's handle is still current; a stale handle is ignored. */
  delete(delivery: QueueDelivery): boolean {
    const message = this.#current(delivery);
    if (!message) return false;
    this.#messages.delete(message.messageId);
    return true;
  }

  /**
   * Hides the message for `seconds` from now (0..43200); ignored for a stale handle. As on SQS, a
   * message stays hidden at most 12 hours from its first receipt: asking for more throws.
   */
  async changeVisibility(delivery: QueueDelivery, seconds: number): Promise<void> {
    const message = this.#current(delivery);
    if (!message) return;
    const now = this.#now();
    const until = now + clampSeconds(seconds, MAX_VISIBILITY_SECONDS) * 1000;
    const cap = (message.firstReceivedAt ?? now) + MAX_VISIBILITY_SECONDS * 1000;
    if (until > cap) {
      throw new VisibilityLimitExceeded(
        `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds]`,
      );
    }
    message.visibleAt = until;
  }

  /**
   * Records the delivery in the dead-letter list and removes the message if the handle is
   * current. With a stale handle the copy is still recorded and the message stays, as on SQS
   * (a send to the DLQ, then a delete that is ignored).
   */
  async deadLetter(delivery: QueueDelivery, reason: string): Promise<void> {
    this.#deadLetters.push({
      messageId: delivery.messageId,
      body: delivery.body,
      reason,
      receiveCount: delivery.receiveCount,
      at: this.#options.clock.now(),
    });
    this.delete(delivery);
  }

  /** Test hook: each of the next `count` messages received is delivered twice, both in flight at once. */
  duplicateNext(count = 1): void {
    this.#duplicatesToInject += count;
  }

  /** Messages on the queue: visible, delayed and in flight. */
  size(): number {
    return this.#messages.size;
  }

  /** Messages received and not yet visible again. */
  inFlight(): number {
    const now = this.#now();
    let count = 0;
    for (const m of this.#messages.values()) if (m.receiveCount > 0 && m.visibleAt > now) count++;
    return count;
  }

  /** When the next hidden message becomes visible (undefined when none is hidden). */
  nextVisibleAt(): Date | undefined {
    const now = this.#now();
    let next: number | undefined;
    for (const m of this.#messages.values()) {
      if (m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    }
    return next === undefined ? undefined : new Date(next);
  }

  /**
   * Delivers every message visible now to `consumer`, `concurrency` at a time: `done` deletes it,
   * `retry` or a throw leaves it (hidden for the visibility the consumer set, else the timeout).
   * Each message is delivered at most once per drain (plus injected duplicates), so a retry with
   * visibility 0 waits for the next drain instead of spinning. Messages sent while draining are
   * delivered too: a slot that finds nothing visible waits for the next send while any other slot
   * is still at work, so the drain keeps its concurrency through a moment the queue is empty.
   * Resolves when nothing visible is left and no work is running, and, with `until`, not before it
   * has settled (the producers are done: until then an empty queue is waited on, as an SQS event
   * source keeps polling); `signal` stops new deliveries (received but unstarted ones are made
   * visible again).
   */
  async drain(
    consumer: QueueConsumer,
    opts: { concurrency: number; batchSize?: number; signal?: AbortSignal; until?: Promise<unknown> },
  ): Promise<{ processed: number }> {
    const batchSize = Math.max(1, Math.min(10, opts.batchSize ?? 10));
    const slots = Math.max(1, opts.concurrency);
    const delivered = new Set<string>();
    const buffer: QueueDelivery[] = [];
    let processed = 0;
    // Slots with nothing to do, waiting for a send (or the end); the drain ends when every slot is.
    let waiting = 0;
    let producersDone = opts.until === undefined;
    let finished = false;
    let wakeUp = () => {};
    let woken = Promise.resolve();
    const newWake = () => {
      woken = new Promise<void>((resolve) => {
        wakeUp = resolve;
      });
    };
    newWake();
    const wakeAll = () => {
      const wake = wakeUp;
      newWake();
      wake();
    };
    const next = (): QueueDelivery | undefined => {
      if (opts.signal?.aborted) return undefined;
      if (buffer.length === 0) {
        const batch = this.#receive(batchSize, delivered);
        for (const delivery of batch) delivered.add(delivery.messageId);
        buffer.push(...batch);
        // More than this slot takes: the waiting slots take the rest.
        if (batch.length > 1 && waiting > 0) wakeAll();
      }
      return buffer.shift();
    };
    const worker = async () => {
      for (;;) {
        const delivery = next();
        if (delivery) {
          await this.#deliver(delivery, consumer);
          processed++;
          continue;
        }
        if (opts.signal?.aborted || finished) return;
        waiting++;
        if (waiting === slots && producersDone) {
          finished = true;
          wakeAll();
          return;
        }
        await woken;
        waiting--;
      }
    };
    const onAbort = () => wakeAll();
    opts.signal?.addEventListener('abort', onAbort);
    this.#onSend.add(wakeAll);
    void opts.until?.then(
      () => {
        producersDone = true;
        wakeAll();
      },
      () => {
        producersDone = true;
        wakeAll();
      },
    );
    try {
      await Promise.all(Array.from({ length: slots }, worker));
    } finally {
      this.#onSend.delete(wakeAll);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    // Aborted: what was received but not started is visible again at once.
    for (const delivery of buffer) await this.changeVisibility(delivery, 0);
    return { processed };
  }

  /**
   * Drains until `stop`, for `npm start`: a pass as soon as a message is sent, else every `pollMs` of
   * real time (a delayed or hidden message becomes visible by the clock, which sends no signal). The
   * timer does not keep the process alive.
   */
  start(consumer: QueueConsumer, opts: { concurrency: number; pollMs: number; batchSize?: number }): void {
    if (this.#running) throw new Error('InProcessQueue is already started');
    const { pollMs, ...drainOpts } = opts;
    const tick = () => {
      clearTimeout(running.timer);
      this.#onSend.delete(running.onSend);
      if (running.abort.signal.aborted) return;
      running.pass = this.drain(consumer, { ...drainOpts, signal: running.abort.signal }).then(
        schedule,
        schedule,
      );
    };
    const running: Running = {
      abort: new AbortController(),
      timer: undefined,
      pass: Promise.resolve(),
      // Not inside the sender's call: the pass starts once the sender's code has run on.
      onSend: () => {
        this.#onSend.delete(running.onSend);
        queueMicrotask(tick);
      },
    };
    const schedule = () => {
      if (running.abort.signal.aborted) return;
      running.timer = setTimeout(tick, pollMs);
      running.timer.unref();
      this.#onSend.add(running.onSend);
    };
    this.#running = running;
    schedule();
  }

  /** Stops polling: no new delivery starts; resolves when the deliveries in progress have finished. */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    running.abort.abort();
    clearTimeout(running.timer);
    this.#onSend.delete(running.onSend);
    await running.pass;
    this.#running = undefined;
  }

  async #deliver(delivery: QueueDelivery, consumer: QueueConsumer): Promise<void> {
    let result: DeliveryResult;
    try {
      result = await consumer(delivery, this);
    } catch (error) {
      this.#options.onError?.(error, delivery);
      result = 'retry';
    }
    if (result === 'done') this.delete(delivery);
  }

  #receive(max: number, exclude: ReadonlySet<string>): QueueDelivery[] {
    const now = this.#now();
    const { visibilityTimeoutSeconds, maxReceiveCount } = this.#options;
    const hiddenUntil = now + clampSeconds(visibilityTimeoutSeconds, MAX_VISIBILITY_SECONDS) * 1000;
    const deliveries: QueueDelivery[] = [];
    for (const message of this.#messages.values()) {
      if (deliveries.length >= max) break;
      if (message.visibleAt > now && !message.duplicatePending) continue;
      if (exclude.has(message.messageId) && !message.duplicatePending) continue;
      if (message.receiveCount >= maxReceiveCount && !message.duplicatePending) {
        this.#messages.delete(message.messageId);
        this.#deadLetters.push({
          messageId: message.messageId,
          body: message.body,
          reason: `received ${message.receiveCount} times (maxReceiveCount ${maxReceiveCount})`,
          receiveCount: message.receiveCount,
          at: new Date(now),
        });
        continue;
      }
      const keepHandles = message.duplicatePending;
      message.duplicatePending = false;
      deliveries.push(this.#deliveryOf(message, hiddenUntil, keepHandles));
      if (this.#duplicatesToInject > 0) {
        this.#duplicatesToInject--;
        if (deliveries.length < max) deliveries.push(this.#deliveryOf(message, hiddenUntil, true));
        else message.duplicatePending = true;
      }
    }
    return deliveries;
  }

  #deliveryOf(message: StoredMessage, hiddenUntil: number, keepHandles: boolean): QueueDelivery {
    const receiptHandle = randomUUID();
    if (!keepHandles) message.handles.clear();
    message.handles.add(receiptHandle);
    message.receiveCount++;
    message.visibleAt = hiddenUntil;
    message.firstReceivedAt ??= this.#now();
    return {
      messageId: message.messageId,
      receiptHandle,
      body: message.body,
      receiveCount: message.receiveCount,
      firstReceivedAt: new Date(message.firstReceivedAt),
    };
  }

  #current(delivery: QueueDelivery): StoredMessage | undefined {
    const message = this.#messages.get(delivery.messageId);
    return message?.handles.has(delivery.receiptHandle) ? message : undefined;
  }

  #now(): number {
    return this.#options.clock.now().getTime();
  }
}
