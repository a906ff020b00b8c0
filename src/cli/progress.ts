// Progress bars through cli-progress, shaped like tqdm: `epoch  12/100 |████░░| 12% 0.8s<5.1s loss 0.52`.
// Disabled (every call a no-op) when stderr is not a terminal or with --quiet / --json, so
// piped output and logs stay clean.

import cliProgress from 'cli-progress';

/** A progress bar; `update` sets the position and the fields shown after it (e.g. the loss). */
export interface Progress {
  update(value: number, fields?: Record<string, string>): void;
  stop(): void;
}

const NOOP: Progress = { update: () => {}, stop: () => {} };

/** A bar counting to `total` on `stream` (a terminal), or a no-op when `stream` is null. */
export function createProgress(label: string, total: number, stream: NodeJS.WriteStream | null): Progress {
  if (stream === null) return NOOP;
  const started = performance.now();
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} {value}/{total} |{bar}| {percentage}% {elapsed}<{remaining} {fields}`,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      fps: 15,
    },
    cliProgress.Presets.shades_classic,
  );
  const timing = (value: number) => {
    const elapsed = (performance.now() - started) / 1000;
    const remaining = value > 0 ? (elapsed * (total - value)) / value : 0;
    return { elapsed: `${elapsed.toFixed(1)}s`, remaining: `${remaining.toFixed(1)}s` };
  };
  bar.start(total, 0, { fields: '', ...timing(0) });
  return {
    update(value, fields = {}) {
      const text = Object.entries(fields)
        .map(([k, v]) => `${k} ${v}`)
        .join(' ');
      bar.update(value, { fields: text, ...timing(value) });
    },
    stop() {
      bar.stop();
    },
  };
}
