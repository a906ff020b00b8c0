// PyTorch-style printing, following torch's formatter rules so output reads the same:
//   - one width for every element; floats get 4 decimals (`1.5000`), or `1.` when every
//     finite value is an integer, or scientific `1.0000e-05` when the finite non-zero
//     magnitudes span more than 1000x, exceed 1e8, or (non-integers) go below 1e-4;
//   - past 1000 elements only the first and last 3 entries of each dim are shown (` ...`);
//   - rows wrap at 80 columns; the dtype is appended unless it is float32 (the default) or
//     bool (int32 is shown, as torch shows every integer type but its default int64).

import type { Tensor } from './tensor.js';

const THRESHOLD = 1000;
const EDGE = 3;
const LINE_WIDTH = 80;
const PRECISION = 4;

interface Formatter {
  width: number;
  format(v: number): string;
}

// Python's `{:.4e}`: at least two exponent digits (`1.0000e-05`, not JS's `1.0000e-5`).
function sci(v: number): string {
  const [m, e] = v.toExponential(PRECISION).split('e');
  const sign = e[0] === '-' ? '-' : '+';
  const digits = e.replace(/^[+-]/, '');
  return `${m}e${sign}${digits.padStart(2, '0')}`;
}

function nonFinite(v: number): string {
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/** torch's _Formatter: picks the style and width from the values that will be printed. */
function makeFormatter(values: ArrayLike<number>, dtype: string): Formatter {
  if (dtype === 'bool' || dtype === 'int32') {
    const str = dtype === 'bool' ? (v: number) => (v ? 'True' : 'False') : (v: number) => String(v);
    let width = 1;
    for (let i = 0; i < values.length; i++) width = Math.max(width, str(values[i]).length);
    return { width, format: (v) => str(v).padStart(width) };
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  let intMode = true;
  let any = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v === 0) continue;
    any = true;
    const a = Math.abs(v);
    if (a < lo) lo = a;
    if (a > hi) hi = a;
    if (v !== Math.ceil(v)) intMode = false;
  }
  const useSci = any && (hi / lo > 1000 || hi > 1e8 || (!intMode && lo < 1e-4));
  const style = useSci
    ? (v: number) => (Number.isFinite(v) ? sci(v) : nonFinite(v))
    : intMode
      ? (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : nonFinite(v))
      : (v: number) => (Number.isFinite(v) ? v.toFixed(PRECISION) : nonFinite(v));
  // as torch, the width comes from the finite non-zero values only
  let width = 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && v !== 0) width = Math.max(width, style(v).length);
  }
  return { width, format: (v) => style(v).padStart(width) };
}

/** Flat offsets of the elements that will be shown (all, or the edges of each dim). */
function shownOffsets(shape: readonly number[], summarize: boolean): number[] {
  const out: number[] = [];
  const rec = (d: number, off: number, stride: number) => {
    if (d === shape.length) {
      out.push(off);
      return;
    }
    const inner = stride / shape[d];
    for (const i of edges(shape[d], summarize)) if (i >= 0) rec(d + 1, off + i * inner, inner);
  };
  rec(
    0,
    0,
    shape.reduce((a, b) => a * b, 1),
  );
  return out;
}

// indices shown along a dim of size n; -1 marks the `...`
function edges(n: number, summarize: boolean): number[] {
  if (summarize && n > 2 * EDGE) return [0, 1, 2, -1, n - 3, n - 2, n - 1];
  return Array.from({ length: n }, (_, i) => i);
}

/** The printed form of a tensor, like torch's repr. */
export function formatTensor(t: Tensor): string {
  const { shape, data, dtype } = t;
  const prefix = 'tensor(';
  const indent = prefix.length;
  const summarize = t.size > THRESHOLD;
  const suffixes: string[] = [];
  let body: string;
  if (t.size === 0) {
    body = '[]';
    if (shape.length !== 1) suffixes.push(`size=(${shape.join(', ')})`);
  } else {
    const shown = shownOffsets(shape, summarize);
    const fmt = makeFormatter(
      shown.map((o) => data[o]),
      dtype,
    );
    const strides: number[] = [];
    for (let i = shape.length - 1, acc = 1; i >= 0; i--) {
      strides[i] = acc;
      acc *= shape[i];
    }
    const rec = (d: number, off: number, ind: number): string => {
      const idx = edges(shape[d], summarize);
      if (d === shape.length - 1) {
        // a row: elements joined by ", ", wrapped to the line width
        const items = idx.map((i) => (i < 0 ? ' ...' : fmt.format(data[off + i])));
        const perLine = Math.max(1, Math.floor((LINE_WIDTH - ind) / (fmt.width + 2)));
        const lines: string[] = [];
        for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
        return `[${lines.join(`,\n${' '.repeat(ind + 1)}`)}]`;
      }
      const parts = idx.map((i) => (i < 0 ? '...' : rec(d + 1, off + i * strides[d], ind + 1)));
      return `[${parts.join(`,${'\n'.repeat(shape.length - d - 1)}${' '.repeat(ind + 1)}`)}]`;
    };
    body = shape.length === 0 ? fmt.format(data[0]).trimStart() : rec(0, 0, indent);
  }
  if (dtype !== 'float32' && dtype !== 'bool') suffixes.push(`dtype=${dtype}`);
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  // suffixes go on the last line, or on a new one past the line width (as torch)
  let out = prefix + body;
  let lastLine = out.length - out.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLine + s.length + 2 > LINE_WIDTH) {
      out += `,\n${' '.repeat(indent)}${s}`;
      lastLine = indent + s.length;
    } else {
      out += `, ${s}`;
      lastLine += s.length + 2;
    }
  }
  return `${out})`;
}
