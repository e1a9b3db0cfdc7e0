/** Time is a port so that schedules, expiry and quiet hours can be tested on a fake clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved; for tests and the local "run a tick at" command. */
export class ManualClock implements Clock {
  #now: Date;
  constructor(start: Date | string) {
    this.#now = new Date(start);
  }
  now(): Date {
    return new Date(this.#now);
  }
  set(to: Date | string): void {
    this.#now = new Date(to);
  }
  advance(ms: number): void {
    this.#now = new Date(this.#now.getTime() + ms);
  }
}

/**
 * Real time, moved by an offset: `npm start` runs on one, so `npm run tick -- --at …` can move the
 * whole local setup (webhooks, send worker, tick) to a chosen moment, from which time runs on.
 */
export class ShiftedClock implements Clock {
  #offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }
  /** From now on, it is `at` (and time runs on from there). */
  moveTo(at: Date): void {
    this.#offsetMs = at.getTime() - Date.now();
  }
  get offsetMs(): number {
    return this.#offsetMs;
  }
}
