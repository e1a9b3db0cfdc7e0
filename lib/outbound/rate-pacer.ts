/**
 * Spaces this worker's sends to `ratePerSecond`. Each worker gets the sender's rate divided by
 * the number of concurrent workers (the event source's maximum concurrency), so together they
 * never exceed it, at no cost in DynamoDB requests.
 */
export class RatePacer {
  readonly #intervalMs: number;
  #next = 0;

  constructor(
    ratePerSecond: number,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#intervalMs = ratePerSecond > 0 && Number.isFinite(ratePerSecond) ? 1000 / ratePerSecond : 0;
  }

  /** Resolves when the next send may go. */
  async take(): Promise<void> {
    if (this.#intervalMs === 0) return;
    const now = this.now();
    const at = Math.max(now, this.#next);
    this.#next = at + this.#intervalMs;
    if (at > now) await this.sleep(at - now);
  }
}
