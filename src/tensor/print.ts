// PyTorch-style printing: `tensor([[ 1.0000, -2.5000], ...])`, a common width per tensor,
// `...` past 1000 elements (first and last 3 along each dim), the dtype when not float32.

import type { Tensor } from './tensor.js';

const THRESHOLD = 1000;
const EDGE = 3;

function fmtNumber(v: number, dtype: string, sci: boolean): string {
  if (dtype === 'bool') return v ? 'True' : 'False';
  if (dtype === 'int32') return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return sci ? v.toExponential(4) : v.toFixed(4);
}

/** The printed form of a tensor, like torch's repr. */
export function formatTensor(t: Tensor): string {
  const { shape, data, dtype } = t;
  const summarize = t.size > THRESHOLD;
  let maxAbs = 0;
  let minAbs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (Number.isFinite(a)) {
      if (a > maxAbs) maxAbs = a;
      if (a > 0 && a < minAbs) minAbs = a;
    }
  }
  const sci = dtype.startsWith('float') && (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs > 0) || maxAbs / minAbs > 1e6);
  const strs: string[] = [];
  for (let i = 0; i < data.length; i++) strs.push(fmtNumber(data[i], dtype, sci));
  const width = strs.reduce((w, s) => Math.max(w, s.length), 0);
  const strides: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  const indent = 'tensor('.length;
  const rec = (d: number, off: number): string => {
    if (d === shape.length) return strs[off].padStart(width);
    const n = shape[d];
    const idx = summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    const parts = idx.map((i) => (i < 0 ? '...' : rec(d + 1, off + i * strides[d])));
    if (d === shape.length - 1) return `[${parts.join(', ')}]`;
    const sep = `,${'\n'.repeat(shape.length - d - 1)}${' '.repeat(indent + d + 1)}`;
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? strs[0] : rec(0, 0);
  const extras: string[] = [];
  if (dtype !== 'float32' && dtype !== 'bool' && !(dtype === 'int32')) extras.push(`dtype=${dtype}`);
  if (dtype === 'int32') extras.push('dtype=int32');
  if (t.requiresGrad) extras.push(t.gradFn ? `grad_fn=<${t.gradFn.name}>` : 'requires_grad=True');
  if (t.size === 0) return `tensor([], size=[${shape.join(', ')}]${extras.length ? `, ${extras.join(', ')}` : ''})`;
  return `tensor(${body}${extras.length ? `, ${extras.join(', ')}` : ''})`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
