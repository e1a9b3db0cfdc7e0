// The weekly rhythm's part of the configuration, read once at the scheduler tick's cold start. Only
// the tick uses it, so it lives apart from lib/config.ts (which every entry point reads).
import * as z from 'zod';
import { DEFAULT_WEEKLY_SCHEDULE, type WeeklySchedule } from '#lib/domain/weekly-schedule.ts';
import { ConfigError } from '#lib/errors.ts';

const schema = z.object({
  /** One reminder this many hours after the invitation if the check-in is unfinished; 0 = none. */
  CHECKIN_REMINDER_HOURS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 6)
    .default(DEFAULT_WEEKLY_SCHEDULE.reminderAfterHours),
});

export function loadScheduleConfig(env: Record<string, string | undefined> = process.env): WeeklySchedule {
  const parsed = schema.safeParse({ CHECKIN_REMINDER_HOURS: env.CHECKIN_REMINDER_HOURS || undefined });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration (${fields})`);
  }
  return { ...DEFAULT_WEEKLY_SCHEDULE, reminderAfterHours: parsed.data.CHECKIN_REMINDER_HOURS };
}
