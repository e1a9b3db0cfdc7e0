// 活动: the centre's activities (the parents' weekly update lists them) and pause weeks, week by week.
import { useMemo, useState } from 'preact/hooks';
import { api, useGet } from '../api.ts';
import { useCentre } from '../centre.tsx';
import { useI18n } from '../i18n.tsx';
import { LoadState } from '../ui.tsx';

interface Calendar {
  from: string;
  to: string;
  activities: { id: string; title: string; date: string; text: string }[];
  pauseWeeks: { week: string; reason: string }[];
}

/** The ISO week (Monday first) of a YYYY-MM-DD day. */
export function isoWeekOfDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export function ActivitiesPage() {
  const { t } = useI18n();
  const { centreId } = useCentre();
  const calendar = useGet<Calendar>(
    centreId ? `/api/activities?centre=${encodeURIComponent(centreId)}` : undefined,
  );
  return (
    <>
      <h1>{t('activitiesTitle')}</h1>
      <ActivityForm centreId={centreId} onSaved={calendar.reload} />
      <LoadState loaded={calendar}>
        {(c) => <Weeks calendar={c} centreId={centreId} onChanged={calendar.reload} />}
      </LoadState>
      <PauseForm centreId={centreId} onSaved={calendar.reload} />
    </>
  );
}

function Weeks({
  calendar,
  centreId,
  onChanged,
}: {
  calendar: Calendar;
  centreId: string;
  onChanged(): void;
}) {
  const { t } = useI18n();
  const byWeek = useMemo(() => {
    const weeks = new Map<string, Calendar['activities']>();
    for (const a of calendar.activities) {
      const w = isoWeekOfDay(a.date);
      weeks.set(w, [...(weeks.get(w) ?? []), a]);
    }
    for (const p of calendar.pauseWeeks)
      if (p.week >= calendar.from && p.week <= calendar.to && !weeks.has(p.week)) weeks.set(p.week, []);
    return [...weeks.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [calendar]);
  const remove = async (a: Calendar['activities'][number]) => {
    await api('/api/activities/remove', {
      method: 'POST',
      body: { centre: centreId, id: a.id, date: a.date },
    });
    onChanged();
  };
  const resume = async (week: string) => {
    await api('/api/pause-weeks/resume', { method: 'POST', body: { centre: centreId, week } });
    onChanged();
  };
  return (
    <ol class="weeks" data-testid="calendar">
      {byWeek.map(([week, activities]) => {
        const pause = calendar.pauseWeeks.find((p) => p.week === week);
        return (
          <li key={week} class={pause ? 'paused' : ''}>
            <h2>{week}</h2>
            {pause && (
              <p>
                <span class="badge">{t('pausedWeek')}</span> {pause.reason}{' '}
                <button type="button" class="link" onClick={() => void resume(week)}>
                  {t('resumeWeek')}
                </button>
              </p>
            )}
            <ul class="plain">
              {activities.map((a) => (
                <li key={a.id} class="activity">
                  <time dateTime={a.date}>{a.date.slice(5)}</time> <strong>{a.title}</strong> {a.text}{' '}
                  <button type="button" class="link" onClick={() => void remove(a)}>
                    {t('remove')}
                    <span class="visually-hidden"> {a.title}</span>
                  </button>
                </li>
              ))}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}

function ActivityForm({ centreId, onSaved }: { centreId: string; onSaved(): void }) {
  const { t } = useI18n();
  // One id per form: sending the same form twice (a slow network, a double tap) writes one activity.
  const [id, setId] = useState(() => crypto.randomUUID());
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    try {
      await api('/api/activities', {
        method: 'POST',
        body: {
          centre: centreId,
          id,
          title: data.get('title'),
          date: data.get('date'),
          text: data.get('text') ?? '',
        },
      });
      form.reset();
      setId(crypto.randomUUID());
      setError(undefined);
      onSaved();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="panel" onSubmit={(e) => void submit(e)}>
      <h2>{t('addActivity')}</h2>
      <label>
        {t('activityTitle')}
        <input name="title" required maxLength={20} />
      </label>
      <label>
        {t('activityDate')}
        <input name="date" type="date" required />
      </label>
      <label>
        {t('activityText')}
        <input name="text" maxLength={200} />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary">
        {t('save')}
      </button>
    </form>
  );
}

function PauseForm({ centreId, onSaved }: { centreId: string; onSaved(): void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    try {
      await api('/api/pause-weeks', {
        method: 'POST',
        body: { centre: centreId, week: data.get('week'), reason: data.get('reason') ?? '' },
      });
      form.reset();
      onSaved();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form class="panel" onSubmit={(e) => void submit(e)}>
      <h2>{t('pauseWeek')}</h2>
      <label>
        {t('week')}
        <input name="week" type="week" required />
      </label>
      <label>
        {t('pauseReason')}
        <input name="reason" maxLength={64} placeholder="春节" />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">{t('pauseWeek')}</button>
    </form>
  );
}
