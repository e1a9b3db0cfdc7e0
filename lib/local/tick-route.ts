// `npm start` only: POST /dev/tick runs one scheduler tick now, or first moves the whole local setup
// to a chosen moment (?at=2026-12-05T10:00+08:00), so a week can be watched in a minute. Time then
// runs on from there, for the webhooks, the send worker and the timer's ticks alike.
import type { DevRoute } from '#lib/local/local-server.ts';
import type { ShiftedClock } from '#lib/ports/clock.ts';
import type { SchedulerDependencies } from '#lib/schedule/scheduler-tick.ts';
import { runTickInProcess } from '#lib/schedule/tick-dispatcher.ts';
import { TICK_UNIT_MAX_ITEMS } from '#lib/wiring/scheduler-tick.ts';

export const TICK_PATH = '/dev/tick';

/** `2026-12-05T10:00` (Shanghai) or any ISO time with an offset; undefined when it is not a time. */
export function parseTickTime(text: string): Date | undefined {
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}+08:00`;
  const at = new Date(withZone);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** The local send queue as the tick route watches it. */
export interface PacedQueue {
  size(): number;
  nextVisibleAt(): Date | undefined;
}

/** How long the tick waits for the sends it started; what is still pacing or held is reported. */
const SETTLE_MS = 10_000;
/** The queue is settled when its size has not changed for this long (the rest is delayed or held). */
const STILL_MS = 1_000;

/**
 * Waits (real time, bounded) until the local send queue is empty or stops shrinking: what is left
 * is paced or held by quiet hours, and says when the next of it lands.
 */
export async function settle(queue: PacedQueue): Promise<{ pending: number; nextAt: string | undefined }> {
  const deadline = Date.now() + SETTLE_MS;
  let size = queue.size();
  let stillSince = Date.now();
  while (size > 0 && Date.now() < deadline && Date.now() - stillSince < STILL_MS) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = queue.size();
    if (now !== size) {
      size = now;
      stillSince = Date.now();
    }
  }
  return { pending: queue.size(), nextAt: queue.nextVisibleAt()?.toISOString() };
}

/** `npm start` only: GET /dev/clock says the local server's time (moved by /dev/tick?at=…). */
export function clockRoute(clock: ShiftedClock): DevRoute {
  return {
    method: 'GET',
    path: '/dev/clock',
    description: "the local server's time (npm run tick -- --at moves it)",
    handle: async () => ({ status: 200, json: { now: clock.now().toISOString() } }),
  };
}

export function tickRoute(deps: {
  scheduler: SchedulerDependencies;
  clock: ShiftedClock;
  /** Without it, the answer does not wait for the sends the tick started. */
  queue?: PacedQueue | undefined;
}): DevRoute {
  return {
    method: 'POST',
    path: TICK_PATH,
    description: 'run the scheduler tick: ?at=2026-12-05T10:00+08:00 moves local time there first',
    async handle(url) {
      const wanted = url.searchParams.get('at');
      if (wanted !== null) {
        const at = parseTickTime(wanted);
        if (!at) return { status: 400, json: { error: `not a time: ${wanted}` } };
        deps.clock.moveTo(at);
      }
      // Fanned out as in AWS: a unit per shard of the due index, each continuing from its cursor.
      const report = await runTickInProcess(deps.scheduler, deps.clock.now(), TICK_UNIT_MAX_ITEMS);
      const sending = deps.queue ? await settle(deps.queue) : undefined;
      return { status: 200, json: { now: deps.clock.now().toISOString(), report, sending } };
    },
  };
}
