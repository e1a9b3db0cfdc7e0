// A line chart of weekly figures: uPlot (about 50 kB, canvas) draws it; a table under it carries the
// same numbers for screen readers and for reading exact values.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useI18n } from './i18n.tsx';

export interface Series {
  label: string;
  color: string;
  /** One value per week, 0–1, or null where nothing was measured. */
  values: (number | null)[];
}

export function WeeklyChart({ title, weeks, series }: { title: string; weeks: string[]; series: Series[] }) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = Math.max(280, element.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 180,
        legend: { show: true, live: false },
        cursor: { show: false },
        scales: { x: { time: false }, y: { range: [0, 1] } },
        axes: [
          { values: (_u, ticks) => ticks.map((i) => (weeks[i] ?? '').replace(/^\d{4}-/, '')) },
          { values: (_u, ticks) => ticks.map((v) => `${Math.round(v * 100)}%`), size: 52 },
        ],
        series: [
          { label: t('week') },
          ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: true })),
        ],
      },
      [weeks.map((_, i) => i), ...series.map((s) => s.values)] as uPlot.AlignedData,
      element,
    );
    return () => plot.destroy();
  }, [weeks, series, t]);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} aria-hidden="true" />
      <details>
        <summary>{t('chartTable')}</summary>
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{t('week')}</th>
              {series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {weeks.map((week, i) => (
              <tr key={week}>
                <th scope="row">{week}</th>
                {series.map((s) => (
                  <td key={s.label}>
                    {s.values[i] === null ? '–' : `${Math.round((s.values[i] ?? 0) * 100)}%`}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
