// The demo Centre's calendar for `npm start`: two activities a week for the weeks around now, so the
// parents' weekly update has something to say whichever week a new user moves the clock to.

import { isoWeekOf } from '#lib/domain/iso-week.ts';
import { addWeeks, weekDates } from '#lib/domain/weekly-schedule.ts';
import { DEMO_ROSTER } from '#lib/local/demo/demo-roster.ts';
import type { CentreCalendarRepository } from '#lib/store/roster/centre-calendar-repository.ts';

const ACTIVITIES = [
  ['剪纸', '作业辅导'],
  ['包饺子', '读书会'],
  ['踢毽子', '作业辅导'],
  ['画画', '合唱'],
] as const;

/** Idempotent (fixed ids): from two weeks before `now` to ten weeks after. */
export async function seedDemoCalendar(calendar: CentreCalendarRepository, now: Date): Promise<void> {
  const centreId = DEMO_ROSTER.centre.centreId;
  for (let i = -2; i <= 10; i++) {
    const week = addWeeks(isoWeekOf(now), i);
    const { first } = weekDates(week);
    const [wednesday, friday] = ACTIVITIES[(i + 4) % ACTIVITIES.length] ?? ACTIVITIES[0];
    const day = (offset: number) => {
      const d = new Date(`${first}T12:00:00+08:00`);
      d.setUTCDate(d.getUTCDate() + offset);
      return new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    };
    await calendar.postActivity(
      { centreId, activityId: `demo-${week}-1`, title: wednesday, date: day(2) },
      now,
    );
    await calendar.postActivity({ centreId, activityId: `demo-${week}-2`, title: friday, date: day(4) }, now);
  }
}
