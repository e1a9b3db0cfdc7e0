// The weekly rhythm's part of the configuration, read once at the scheduler tick's cold start.
import * as z from 'zod';
import { DEFAULT_WEEKLY_SCHEDULE, type WeeklySchedule } from '#lib/domain/weekly-schedule.ts';
import { type Env, parseEnv } from './parse-env.ts';

export const scheduleEnvSchema = z.object({
  CHECKIN_REMINDER_HOURS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 6)
    .default(DEFAULT_WEEKLY_SCHEDULE.reminderAfterHours)
    .describe('One reminder this many hours after the invitation if the check-in is unfinished; 0 = none'),
});

export function loadScheduleConfig(env: Env = process.env): WeeklySchedule {
  const parsed = parseEnv(scheduleEnvSchema, env);
  return { ...DEFAULT_WEEKLY_SCHEDULE, reminderAfterHours: parsed.CHECKIN_REMINDER_HOURS };
}
