// Plots: a small description (line, heatmap, scatter, images) -> a Vega-Lite spec (plot-spec.ts)
// -> SVG through vega's headless View (renderer 'none', no DOM, no canvas) -> PNG through resvg
// (Rust, no native canvas build). Files are written atomically: a temporary file, then a rename,
// so an interrupted run never leaves half an image. Text uses the system fonts that resvg finds.

import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type PlotSpec, toVegaLite } from './plot-spec.js';

export {
  type HeatPanel,
  type ImagePanel,
  type LineSeries,
  type PlotSpec,
  type ScatterPoint,
  toVegaLite,
} from './plot-spec.js';

/** Renders a plot to SVG text (vega is loaded on first use: --help and --no-plot stay fast). */
export async function toSVG(p: PlotSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(toVegaLite(p)).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Rasterises SVG to PNG at twice the SVG's size, on white. */
export async function svgToPNG(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { loadSystemFonts: true, sansSerifFamily: 'DejaVu Sans' },
  });
  return r.render().asPng();
}

async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Writes `<dir>/<name>.svg` and `<dir>/<name>.png`; returns the two paths. */
export async function renderPlot(p: PlotSpec, dir: string, name: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const svg = await toSVG(p);
  const png = await svgToPNG(svg);
  const svgPath = join(dir, `${name}.svg`);
  const pngPath = join(dir, `${name}.png`);
  await writeAtomic(svgPath, svg);
  await writeAtomic(pngPath, png);
  return [svgPath, pngPath];
}
