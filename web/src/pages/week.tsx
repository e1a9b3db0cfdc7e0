// 本周: this week's figures of the centre, then the last 12 weeks as charts.
import { Suspense } from 'preact/compat';
import { useMemo } from 'preact/hooks';
import type { dashboardView } from '#lib/api/dashboard-api.ts';
import type * as z from '#lib/zod.ts';
import { useGet } from '../api.ts';
import { CATEGORIES } from '../categories.ts';
import { useCentre } from '../centre.tsx';
import { useI18n } from '../i18n.tsx';
import { WeeklyChart } from '../lazy-chart.ts';
import type { MessageKey } from '../messages.ts';
import { LoadState, percent } from '../ui.tsx';

type Dashboard = z.output<typeof dashboardView>;

const ANSWER_ITEMS: { id: string; label: MessageKey }[] = [
  { id: 'mood', label: 'itemMood' },
  { id: 'school', label: 'itemSchool' },
  { id: 'health', label: 'itemHealth' },
];

export function WeekPage() {
  const { centreId } = useCentre();
  const loaded = useGet<Dashboard>(
    centreId ? `/api/dashboard?centre=${encodeURIComponent(centreId)}` : undefined,
  );
  return <LoadState loaded={loaded}>{(d) => <Week dashboard={d} />}</LoadState>;
}

function Week({ dashboard: d }: { dashboard: Dashboard }) {
  const { t } = useI18n();
  const current = d.series.at(-1);
  const weeks = useMemo(() => d.series.map((w) => w.week), [d]);
  const rateSeries = useMemo(
    () =>
      CATEGORIES.map((c) => ({
        label: t(c.label),
        color: c.color,
        // A week without any check-in (before the rhythm, a pause week) is a gap, not 0%.
        values: d.series.map((w) => {
          const f = w.categories[c.id];
          return f && f.none < f.children ? f.responseRate : null;
        }),
      })),
    [d, t],
  );
  // "Good" is the first choice of each item (1 = happy / good / well).
  const answerSeries = useMemo(
    () =>
      ANSWER_ITEMS.map((item) => ({
        item,
        series: CATEGORIES.map((c) => ({
          label: t(c.label),
          color: c.color,
          values: d.series.map((w) => {
            const counts = w.categories[c.id]?.distributions[item.id] ?? {};
            const total = Object.values(counts).reduce((a, b) => a + b, 0);
            return total === 0 ? null : (counts['1'] ?? 0) / total;
          }),
        })),
      })),
    [d, t],
  );
  return (
    <>
      <h1>{t('weekTitle', { week: d.week })}</h1>
      <dl class="figures" data-testid="week-figures">
        <Figure label={t('invited')} value={`${d.thisWeek.invited} / ${d.thisWeek.children}`} />
        <Figure label={t('completed')} value={String(d.thisWeek.completed)} />
        <Figure label={t('responseRate')} value={percent(d.thisWeek.responseRate)} />
        <Figure label={t('overdue')} value={String(d.overdueContacts.length)} href="/alerts" />
        <Figure label={t('openAlerts')} value={String(d.openAlerts)} href="/alerts" />
      </dl>
      <section>
        <h2>{t('byCategory')}</h2>
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('category')}</th>
              <th scope="col">{t('children')}</th>
              <th scope="col">{t('completed')}</th>
              <th scope="col">{t('responseRate')}</th>
            </tr>
          </thead>
          <tbody>
            {CATEGORIES.map((c) => {
              const f = current?.categories[c.id];
              return (
                <tr key={c.id}>
                  <th scope="row">{t(c.label)}</th>
                  <td>{f?.children ?? 0}</td>
                  <td>{f?.completed ?? 0}</td>
                  <td>{percent(f?.responseRate)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section>
        <h2>{t('overdueList')}</h2>
        {d.overdueContacts.length === 0 ? (
          <p>{t('noneOverdue')}</p>
        ) : (
          <ul>
            {d.overdueContacts.map((o) => (
              <li key={o.contactName}>
                {o.contactName}（{o.childNames.join('、')}）{o.optedOut ? ` · ${t('optedOut')}` : ''}
              </li>
            ))}
          </ul>
        )}
      </section>
      <Suspense fallback={<p aria-busy="true">{t('loading')}</p>}>
        <section class="charts">
          <WeeklyChart title={t('rateChart')} weeks={weeks} series={rateSeries} />
          {answerSeries.map(({ item, series }) => (
            <WeeklyChart
              key={item.id}
              title={t('answersChart', { item: t(item.label) })}
              weeks={weeks}
              series={series}
            />
          ))}
        </section>
      </Suspense>
    </>
  );
}

function Figure({ label, value, href }: { label: string; value: string; href?: string }) {
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd>{href ? <a href={href}>{value}</a> : value}</dd>
    </div>
  );
}
