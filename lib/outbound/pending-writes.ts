/**
 * Status writes a send worker leaves running while its slot takes the next delivery: the record of a
 * message the provider took (`sent`). Whoever runs the worker settles them before it acknowledges its
 * deliveries to the queue or ends (the Lambda handler before it returns its batch response).
 *
 * A write that fails leaves the message `sending` with its sweep keys: the tick's sweeper finds it
 * after the claim timeout, and the worker records it `unknown` (never resent), as for a worker that
 * stopped mid-send.
 */
export class PendingWrites {
  readonly #pending = new Set<Promise<void>>();

  constructor(private readonly onError: (error: unknown) => void) {}

  add(write: Promise<unknown>): void {
    const settled: Promise<void> = write.then(
      () => undefined,
      (error: unknown) => this.onError(error),
    );
    this.#pending.add(settled);
    void settled.finally(() => this.#pending.delete(settled));
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Resolves when every write added so far (and any added meanwhile) has finished. */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
