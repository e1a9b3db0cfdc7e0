// The charts (uPlot) load after the page's own figures: on a slow phone the numbers come first.
import { lazy } from 'preact/compat';

export const WeeklyChart = lazy(() => import('./chart.tsx').then((m) => m.WeeklyChart));
