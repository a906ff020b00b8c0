// A line chart in the terminal (asciichart), for the loss curves when stdout is a TTY.
// Each series is resampled to at most WIDTH columns; a loss spanning more than two decades is
// drawn as log10 so the tail is not flattened by the first epochs.

import * as asciichart from 'asciichart';
import type { LineSeries } from './plot.js';

const WIDTH = 64;
const HEIGHT = 10;
const COLORS = [asciichart.blue, asciichart.yellow, asciichart.green, asciichart.magenta];

function resample(ys: readonly number[], n: number): number[] {
  if (ys.length <= n) return [...ys];
  return Array.from({ length: n }, (_, i) => ys[Math.round((i * (ys.length - 1)) / (n - 1))]);
}

/** The chart as text: a title line, the plot, and a legend when there are several series. */
export function termChart(title: string, series: readonly LineSeries[]): string {
  const finite = series.map((s) => s.y.filter(Number.isFinite)).filter((ys) => ys.length > 1);
  if (finite.length === 0) return '';
  const all = finite.flat();
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const useLog = lo > 0 && hi / lo > 100;
  // Series of different lengths (validation every N epochs) are stretched to a common width.
  const width = Math.min(WIDTH, Math.max(...finite.map((ys) => ys.length)));
  const rows = finite.map((ys) => {
    const r = resample(ys, width);
    const stretched = Array.from(
      { length: width },
      (_, i) => r[Math.round((i * (r.length - 1)) / (width - 1))],
    );
    return useLog ? stretched.map(Math.log10) : stretched;
  });
  const chart = asciichart.plot(rows, {
    height: HEIGHT,
    colors: COLORS.slice(0, rows.length),
    format: (x) => (useLog ? `1e${x.toFixed(2)}` : x.toPrecision(3)).padStart(9),
  });
  const legend =
    series.length > 1
      ? series.map((s, i) => `${COLORS[i % COLORS.length]}──${asciichart.reset} ${s.name}`).join('   ')
      : '';
  return [`${title}${useLog ? ' (log scale)' : ''}`, chart, legend].filter(Boolean).join('\n');
}
