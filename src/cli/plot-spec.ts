// Plot descriptions and their Vega-Lite specs: a line chart, heatmaps, a scatter plot or
// images, each described by the data a demo has at hand, turned into a spec that vega renders
// (plot.ts). No rendering here, so the specs are cheap to build and to test.

import type { TopLevelSpec } from 'vega-lite';

/** One series of a line chart; `mark: 'point'` draws it as dots (data beside a fitted curve). */
export interface LineSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  mark?: 'line' | 'point';
}

/** A matrix shown as coloured cells; several panels sit side by side (one per attention head). */
export interface HeatPanel {
  name: string;
  /** values[row][col] */
  values: readonly (readonly number[])[];
}

/** A point of a scatter plot, coloured by group. */
export interface ScatterPoint {
  x: number;
  y: number;
  group: string;
}

/** A grayscale image shown as one panel. */
export interface ImagePanel {
  name: string;
  width: number;
  height: number;
  /** Row-major, width * height values. */
  pixels: ArrayLike<number>;
}

interface Common {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
}

/** What to plot: a line chart, heatmaps, a scatter plot or images. */
export type PlotSpec =
  | (Common & { kind: 'line'; series: readonly LineSeries[]; logX?: boolean; logY?: boolean })
  | (Common & { kind: 'heatmap'; panels: readonly HeatPanel[]; colorLabel: string; showValues?: boolean })
  | (Common & {
      kind: 'scatter';
      points: readonly ScatterPoint[];
      centers?: readonly ScatterPoint[];
      groupLabel: string;
    })
  | (Common & { kind: 'images'; panels: readonly ImagePanel[]; colorLabel: string });

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

function lineSpec(p: Extract<PlotSpec, { kind: 'line' }>): TopLevelSpec {
  const values = p.series.flatMap((s) =>
    s.x
      .map((x, i) => ({ x, y: s.y[i], series: s.name, mark: s.mark ?? 'line' }))
      .filter((d) => Number.isFinite(d.y)),
  );
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    sort: p.series.map((s) => s.name),
    // long names go under the plot, where they do not squeeze it
    legend:
      p.series.length > 1
        ? { labelLimit: 400, orient: p.series.some((s) => s.name.length > 20) ? 'bottom' : 'right' }
        : null,
  };
  const axis = (field: 'x' | 'y', title: string, scale: AxisScale) => ({
    field,
    type: 'quantitative' as const,
    title,
    ...axisScale(
      values.map((d) => d[field]),
      scale,
    ),
  });
  const x = axis('x', p.xLabel, p.logX ? 'log' : 'linear');
  const y = axis('y', p.yLabel, p.logY ? 'log' : 'linear');
  const layer = (['line', 'point'] as const)
    .filter((m) => values.some((d) => d.mark === m))
    .map((m) => ({
      transform: [{ filter: `datum.mark === '${m}'` }],
      // short lines get a dot on every data point
      mark:
        m === 'line'
          ? {
              type: 'line' as const,
              strokeWidth: 2,
              point: Math.max(...p.series.map((q) => q.x.length)) <= 30,
            }
          : { type: 'point' as const, filled: true, size: 24 },
      encoding: { x, y, color },
    }));
  return { ...base(p), width: 480, height: 280, data: { values }, layer };
}

type AxisScale = 'linear' | 'log';

/** Scale and axis for one line-chart axis; a log axis gets a tick and a grid line per decade only. */
function axisScale(vs: readonly number[], scale: AxisScale) {
  if (scale === 'linear') {
    // integer data (epochs, iterations) gets integer ticks
    const ints = vs.every(Number.isInteger);
    return { scale: { zero: false }, ...(ints ? { axis: { tickMinStep: 1, format: 'd' } } : {}) };
  }
  const pos = vs.filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(...pos)));
  const hi = Math.ceil(Math.log10(Math.max(...pos)));
  // within two decades the default log ticks (0.2, 0.3, ...) say more than 0.1 and 1
  if (hi - lo < 2) return { scale: { type: 'log' as const, nice: false } };
  const decades = Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
  return {
    scale: { type: 'log' as const, domain: [10 ** lo, 10 ** hi], nice: false },
    axis: {
      values: decades,
      labelExpr:
        "datum.value >= 1e-3 && datum.value < 1e5 ? format(datum.value, '~g') : format(datum.value, '.0e')",
    },
  };
}

function heatmapSpec(p: Extract<PlotSpec, { kind: 'heatmap' }>): TopLevelSpec {
  const values = p.panels.flatMap((panel) =>
    panel.values.flatMap((row, r) => row.map((v, c) => ({ panel: panel.name, row: r, col: c, v }))),
  );
  const rows = Math.max(...p.panels.map((q) => q.values.length));
  const cols = Math.max(...p.panels.map((q) => q.values[0]?.length ?? 0));
  const cell = Math.max(14, Math.min(40, Math.floor(260 / Math.max(rows, cols))));
  const encoding = {
    x: { field: 'col', type: 'ordinal' as const, title: p.xLabel, axis: { labelAngle: 0 } },
    y: { field: 'row', type: 'ordinal' as const, title: p.yLabel },
  };
  const layers: object[] = [
    {
      mark: { type: 'rect', stroke: '#e0e0e0', strokeWidth: 0.5 },
      encoding: {
        ...encoding,
        // exact zeros (masked positions) in white, apart from small weights
        color: {
          condition: { test: 'datum.v === 0', value: 'white' },
          field: 'v',
          type: 'quantitative',
          title: p.colorLabel,
          scale: { scheme: 'blues', domainMin: 0 },
        },
      },
    },
  ];
  if (p.showValues && cell >= 28) {
    layers.push({
      mark: { type: 'text', fontSize: 9 },
      encoding: {
        ...encoding,
        text: { field: 'v', type: 'quantitative', format: '.2f' },
        color: { condition: { test: 'datum.v > 0.5', value: 'white' }, value: 'black' },
      },
    });
  }
  const inner = { width: cols * cell, height: rows * cell, layer: layers };
  const facet = { field: 'panel', type: 'ordinal', title: null, sort: p.panels.map((q) => q.name) };
  return {
    ...base(p),
    data: { values },
    facet: { column: facet },
    spec: inner,
  } as unknown as TopLevelSpec;
}

function scatterSpec(p: Extract<PlotSpec, { kind: 'scatter' }>): TopLevelSpec {
  const groups = [...new Set(p.points.map((q) => q.group))].sort();
  const color = { field: 'group', type: 'nominal' as const, title: p.groupLabel, sort: groups };
  const x = { field: 'x', type: 'quantitative' as const, title: p.xLabel, scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative' as const, title: p.yLabel, scale: { zero: false } };
  const layer: object[] = [
    {
      data: { values: p.points },
      mark: { type: 'point', filled: true, size: 30, opacity: 0.7 },
      encoding: { x, y, color },
    },
  ];
  if (p.centers && p.centers.length > 0) {
    const shape = { datum: 'centre', type: 'nominal', title: null, scale: { range: ['cross'] } };
    layer.push({
      data: { values: p.centers },
      mark: { type: 'point', filled: true, size: 260, stroke: 'black', strokeWidth: 1.5 },
      encoding: { x, y, color, shape },
    });
  }
  return { ...base(p), width: 420, height: 320, layer } as unknown as TopLevelSpec;
}

function imagesSpec(p: Extract<PlotSpec, { kind: 'images' }>): TopLevelSpec {
  const concat = p.panels.map((img) => {
    const values: { row: number; col: number; v: number }[] = [];
    for (let r = 0; r < img.height; r++) {
      for (let c = 0; c < img.width; c++) values.push({ row: r, col: c, v: img.pixels[r * img.width + c] });
    }
    const cell = Math.max(3, Math.floor(240 / Math.max(img.width, img.height)));
    const tick = (n: number) => Array.from({ length: Math.ceil(n / 8) }, (_, i) => i * 8);
    return {
      title: img.name,
      data: { values },
      width: img.width * cell,
      height: img.height * cell,
      mark: { type: 'rect' },
      encoding: {
        x: {
          field: 'col',
          type: 'ordinal',
          title: p.xLabel,
          axis: { values: tick(img.width), labelAngle: 0 },
        },
        y: { field: 'row', type: 'ordinal', title: p.yLabel, axis: { values: tick(img.height) } },
        color: {
          field: 'v',
          type: 'quantitative',
          title: p.colorLabel,
          scale: { scheme: 'greys', reverse: true },
        },
      },
    };
  });
  // four panels as 2 x 2, fewer in a row
  const columns = p.panels.length > 3 ? 2 : p.panels.length;
  return {
    ...base(p),
    concat,
    columns,
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}

function base(p: Common) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: p.subtitle ? { text: p.title, subtitle: p.subtitle } : { text: p.title },
    background: 'white',
    config: { font: FONT, title: { fontSize: 15 }, view: { stroke: null } },
  };
}

/** The Vega-Lite spec for a plot description (exported for tests and for users who want the spec). */
export function toVegaLite(p: PlotSpec): TopLevelSpec {
  switch (p.kind) {
    case 'line':
      return lineSpec(p);
    case 'heatmap':
      return heatmapSpec(p);
    case 'scatter':
      return scatterSpec(p);
    case 'images':
      return imagesSpec(p);
  }
}
