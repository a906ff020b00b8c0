// A line chart in the terminal (asciichart), for the loss curves when stdout is a TTY.
// Every series is resampled to one common width (at most WIDTH columns); a loss spanning more
// than two decades is drawn as log10 so the tail is not flattened by the first epochs.

import * as asciichart from 'asciichart';
import type { LineSeries } from './plot.js';

const WIDTH = 64;
const HEIGHT = 10;
const COLORS = [asciichart.blue, asciichart.yellow, asciichart.green, asciichart.magenta];

// n >= 2 samples of ys at evenly spaced positions: thins a long series, stretches a short one
function resample(ys: readonly number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => ys[Math.round((i * (ys.length - 1)) / (n - 1))]);
}

/** The chart as text: a title line, the plot, and a legend when there are several series. */
export function termChart(title: string, series: readonly LineSeries[]): string {
  // series with fewer than two finite points cannot be drawn; the legend lists the drawn ones
  const drawn = series
    .map((s) => ({ name: s.name, ys: s.y.filter(Number.isFinite) }))
    .filter((s) => s.ys.length > 1);
  if (drawn.length === 0) return '';
  const finite = drawn.map((s) => s.ys);
  const all = finite.flat();
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const useLog = lo > 0 && hi / lo > 100;
  // Series of different lengths (validation every N epochs) are stretched to a common width.
  const width = Math.min(WIDTH, Math.max(...finite.map((ys) => ys.length)));
  const rows = finite.map((ys) => {
    const r = resample(ys, width);
    return useLog ? r.map(Math.log10) : r;
  });
  const chart = asciichart.plot(rows, {
    height: HEIGHT,
    colors: COLORS.slice(0, rows.length),
    format: (x) => (useLog ? `1e${x.toFixed(2)}` : x.toPrecision(3)).padStart(9),
  });
  const legend =
    drawn.length > 1
      ? drawn.map((s, i) => `${COLORS[i % COLORS.length]}──${asciichart.reset} ${s.name}`).join('   ')
      : '';
  return [`${title}${useLog ? ' (log scale)' : ''}`, chart, legend].filter(Boolean).join('\n');
}
