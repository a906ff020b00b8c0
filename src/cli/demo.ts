// What a demo is, and the IO it talks through. A demo is `run(opts, io)`: it computes with the
// library (which prints nothing), tells `io` what to show, and returns a JSON-able summary.
// The IO decides what reaches the terminal: everything (default), only the summary line
// (--quiet), or nothing but the JSON document (--json); plots only without --no-plot.

import { type LineSeries, type PlotSpec, renderPlot } from './plot.js';
import { createProgress, type Progress } from './progress.js';
import { termChart } from './term-chart.js';

/** Options every demo receives; the per-demo ones are undefined unless given. */
export interface DemoOptions {
  /** Seed for every random thing in the demo. */
  seed: number;
  /** Folder for the plots (SVG + PNG). */
  out: string;
  /** Only the one-line summary. */
  quiet: boolean;
  /** Nothing on stdout but the JSON summary. */
  json: boolean;
  /** Write plots. */
  plot: boolean;
  epochs?: number;
  lr?: number;
  batchSize?: number;
  /** linreg only: the seed's unscaled setup. */
  raw: boolean;
}

/** Options a demo may take beyond the common ones (the CLI rejects the others). */
export type DemoFlag = 'epochs' | 'lr' | 'batchSize' | 'raw';

/** A JSON value: what a demo's metrics may hold. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a demo returns: the one-line summary, key metrics, the plots it wrote, the time it took. */
export interface DemoSummary {
  demo: string;
  summary: string;
  seconds: number;
  plots: string[];
  metrics: { [key: string]: Json };
}

/** How a demo talks to the user. */
export interface DemoIO {
  /** A line of detail (stdout; silent with --quiet or --json). */
  log(line?: string): void;
  /** A heading before a part of the demo. */
  section(title: string): void;
  /** A progress bar (stderr, on a TTY only, not with --quiet/--json). */
  progress(label: string, total: number): Progress;
  /** A terminal line chart (stdout on a TTY only). */
  chart(title: string, series: readonly LineSeries[]): void;
  /** Writes `<out>/<name>.svg` and `.png` (unless --no-plot). */
  plot(name: string, spec: PlotSpec): Promise<void>;
  /** The demo's summary, timed from the IO's creation. */
  finish(summary: string, metrics: { [key: string]: Json }): DemoSummary;
}

/** A demo module exports `run`. */
export type DemoRun = (opts: DemoOptions, io: DemoIO) => Promise<DemoSummary>;

/** Where output goes: process.stdout/stderr, or anything with write() (tests). */
export interface OutStream {
  write(s: string): unknown;
  isTTY?: boolean;
}
/** The two streams a CLI run writes to. */
export interface Streams {
  stdout: OutStream;
  stderr: OutStream;
}

/** The IO for one demo run. */
export function createIO(
  demo: string,
  opts: DemoOptions,
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
): DemoIO {
  const started = performance.now();
  const plots: string[] = [];
  const verbose = !opts.quiet && !opts.json;
  const write = (s: string) => {
    if (verbose) streams.stdout.write(`${s}\n`);
  };
  return {
    log: (line = '') => write(line),
    section: (title) => write(`\n-- ${title}`),
    // a TTY stream is a real terminal stream, which is what cli-progress draws on
    progress: (label, total) =>
      createProgress(
        label,
        total,
        verbose && streams.stderr.isTTY ? (streams.stderr as NodeJS.WriteStream) : null,
      ),
    chart: (title, series) => {
      if (verbose && streams.stdout.isTTY) write(termChart(title, series));
    },
    plot: async (name, spec) => {
      if (!opts.plot) return;
      plots.push(...(await renderPlot(spec, opts.out, name)));
    },
    finish: (summary, metrics) => ({
      demo,
      summary,
      seconds: Math.round(performance.now() - started) / 1000,
      plots: [...plots],
      metrics,
    }),
  };
}
