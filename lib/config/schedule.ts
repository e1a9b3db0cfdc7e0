// The weekly rhythm's part of the configuration, read once at the scheduler tick's cold start.
import { DEFAULT_WEEKLY_SCHEDULE, type WeeklySchedule } from '#lib/domain/weekly-schedule.ts';
import * as z from '#lib/zod.ts';
import { type Env, parseEnv } from './parse-env.ts';

export const scheduleEnvSchema = z.object({
  CHECKIN_REMINDER_HOURS: z
    ._default(
      z.coerce.number().check(z.int(), z.gte(0), z.lte(24 * 6)),
      DEFAULT_WEEKLY_SCHEDULE.reminderAfterHours,
    )
    .check(
      z.describe('One reminder this many hours after the invitation if the check-in is unfinished; 0 = none'),
    ),
});

export function loadScheduleConfig(env: Env = process.env): WeeklySchedule {
  const parsed = parseEnv(scheduleEnvSchema, env);
  return { ...DEFAULT_WEEKLY_SCHEDULE, reminderAfterHours: parsed.CHECKIN_REMINDER_HOURS };
}
