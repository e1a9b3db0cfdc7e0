// What the send bench's main thread and its producers' thread share: the recipients' numbers and the
// timing of each step of a message.
import type { DynamoOutboundRepository } from '#lib/store/outbound/dynamo-outbound-repository.ts';

export const address = (i: number) => `+86139${String(i).padStart(8, '0')}`;

export type Step = 'put' | 'claim' | 'provider' | 'sent write';

/** Calls of each step of a message and the wall time they took (overlapping calls each counted whole). */
export class StepTimes {
  readonly #steps = new Map<Step, { calls: number; ms: number }>();

  time<T>(step: Step, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const done = () => {
      const s = this.#steps.get(step) ?? { calls: 0, ms: 0 };
      s.calls++;
      s.ms += performance.now() - started;
      this.#steps.set(step, s);
    };
    const promise = run();
    promise.then(done, done);
    return promise;
  }

  /** Calls of a step timed elsewhere (the producers' thread). */
  add(step: Step, calls: number, ms: number): void {
    const s = this.#steps.get(step) ?? { calls: 0, ms: 0 };
    s.calls += calls;
    s.ms += ms;
    this.#steps.set(step, s);
  }

  /** The calls of one step and their total time, and forgets them (the producers' thread reports these). */
  takeTotal(step: Step): { calls: number; ms: number } {
    const s = this.#steps.get(step) ?? { calls: 0, ms: 0 };
    this.#steps.delete(step);
    return s;
  }

  /** The mean of each step, in ms, and forgets them. */
  take(): Record<Step, number> {
    const mean = (step: Step) => {
      const s = this.#steps.get(step);
      return s && s.calls > 0 ? s.ms / s.calls : 0;
    };
    const means = {
      put: mean('put'),
      claim: mean('claim'),
      provider: mean('provider'),
      'sent write': mean('sent write'),
    };
    this.#steps.clear();
    return means;
  }
}

/** The repository with its create (put), claim and outcome (`sent`) writes timed; the rest as it is. */
export function timedRepository(
  repository: DynamoOutboundRepository,
  times: StepTimes,
): DynamoOutboundRepository {
  const steps: Record<string, Step> = { create: 'put', claim: 'claim', transition: 'sent write' };
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      const step = typeof property === 'string' ? steps[property] : undefined;
      if (!step) return method.bind(target);
      return (...args: unknown[]) => times.time(step, () => method.apply(target, args));
    },
  });
}
