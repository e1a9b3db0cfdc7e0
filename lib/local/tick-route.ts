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

export function tickRoute(deps: { scheduler: SchedulerDependencies; clock: ShiftedClock }): DevRoute {
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
      return { status: 200, json: { now: deps.clock.now().toISOString(), report } };
    },
  };
}
