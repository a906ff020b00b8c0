// Padding (torch.nn.functional.pad): widens the trailing dims of x. `padding` lists
// [before, after] pairs starting from the LAST dim, as torch: [left, right, top, bottom, ...].
// Per padded axis of size n, output position o reads input index i = o - before, mapped by mode:
//   constant   i if 0 <= i < n, else the fill value (negative pads crop)
//   reflect    mirrored about the edge element, which is not repeated: -i, or 2(n-1) - i (pads < n)
//   replicate  the edge element repeated: clamp(i, 0, n-1)
//   circular   wrapped around: i mod n (pads <= n)
// Forward gathers through one index map per axis. Backward sends dy back through the same maps:
// an input element that several output positions read (reflect, replicate, circular) gets the
// sum of their gradients; fill positions read nothing and pass nothing back.

import { record } from '../autograd/engine.js';
import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import { withDefaults } from '../options.js';
import { allocate, type Storage } from '../tensor/dtype.js';
import { numel, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** How F.pad fills the border. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Options of F.pad. */
export interface PadOptions {
  /** 'constant' (default), 'reflect', 'replicate' or 'circular'. */
  mode?: PadMode;
  /** The fill of 'constant' mode (default 0). */
  value?: number;
}

const DEFAULTS = { mode: 'constant', value: 0 } satisfies Required<PadOptions>;
const MODES: readonly string[] = ['constant', 'reflect', 'replicate', 'circular'];

/** x padded on its trailing dims. x: [..., d_k, ..., d_1], padding [b_1, a_1, ..., b_k, a_k] -> [..., d_k + b_k + a_k, ..., d_1 + b_1 + a_1]. */
export function pad(x: Tensor, padding: readonly number[], options: PadOptions = {}): Tensor {
  const { mode, value } = withDefaults(DEFAULTS, options, 'pad');
  if (!MODES.includes(mode)) {
    throw new ArgumentError(
      `pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got ${mode}`,
    );
  }
  if (typeof value !== 'number') throw new ArgumentError(`pad: value must be a number, got ${String(value)}`);
  if (mode !== 'constant' && options.value !== undefined && value !== 0) {
    throw new ArgumentError(`pad: mode '${mode}' takes no fill value, got ${value}`);
  }
  if (!Array.isArray(padding) || padding.length % 2 !== 0 || !padding.every(Number.isInteger)) {
    throw new ArgumentError(
      `pad: padding must list integer [before, after] pairs, last dim first, got ${JSON.stringify(padding)}`,
    );
  }
  const k = padding.length / 2;
  if (k > x.ndim) {
    throw new ShapeError(`pad: ${k} padded dims given for a ${x.ndim}-d tensor ${fmtShape(x.shape)}`);
  }
  const shape = [...x.shape];
  const inStrides = stridesOf(x.shape);
  // maps[d][o] = flat input offset (index * input stride) that output position o of dim d reads, or -1
  const maps: Int32Array[] = [];
  for (let d = 0; d < x.ndim; d++) {
    const j = x.ndim - 1 - d; // torch counts pairs from the last dim
    const [before, after] = j < k ? [padding[2 * j], padding[2 * j + 1]] : [0, 0];
    const n = x.shape[d];
    shape[d] = n + before + after;
    checkAxis(mode, d, n, before, after, x.shape);
    const map = new Int32Array(shape[d]);
    for (let o = 0; o < shape[d]; o++) {
      const i = sourceIndex(mode, o - before, n);
      map[o] = i < 0 ? -1 : i * inStrides[d];
    }
    maps.push(map);
  }
  const walk = { maps, outStrides: stridesOf(shape) };
  const out = allocate(x.dtype, numel(shape));
  const fill = x.dtype === 'bool' ? Number(value !== 0) : value;
  if (shape.length === 0) out[0] = x.data[0];
  else gather(walk, 0, 0, 0, x.data, out, fill);
  return record(new Tensor(out, shape), 'pad', [x], (g) => {
    const gx = allocate(g.dtype, x.size);
    if (shape.length === 0) gx[0] = g.data[0];
    else scatterAdd(walk, 0, 0, 0, g.data, gx);
    return [new Tensor(gx, x.shape)];
  });
}

interface Walk {
  maps: readonly Int32Array[];
  outStrides: readonly number[];
}

// out over dims d.. (from outBase) = src through the maps (from srcBase; -1: all fill).
function gather(
  w: Walk,
  d: number,
  outBase: number,
  srcBase: number,
  src: Storage,
  out: Storage,
  fill: number,
) {
  const map = w.maps[d];
  if (d === w.maps.length - 1) {
    for (let o = 0; o < map.length; o++)
      out[outBase + o] = srcBase < 0 || map[o] < 0 ? fill : src[srcBase + map[o]];
    return;
  }
  const os = w.outStrides[d];
  for (let o = 0; o < map.length; o++) {
    gather(w, d + 1, outBase + o * os, srcBase < 0 || map[o] < 0 ? -1 : srcBase + map[o], src, out, fill);
  }
}

// The adjoint of gather: gx[source of o] += g[o] for every output position o that reads one.
function scatterAdd(w: Walk, d: number, outBase: number, srcBase: number, g: Storage, gx: Storage) {
  if (srcBase < 0) return; // this block read only the fill
  const map = w.maps[d];
  if (d === w.maps.length - 1) {
    for (let o = 0; o < map.length; o++) if (map[o] >= 0) gx[srcBase + map[o]] += g[outBase + o];
    return;
  }
  const os = w.outStrides[d];
  for (let o = 0; o < map.length; o++) {
    if (map[o] >= 0) scatterAdd(w, d + 1, outBase + o * os, srcBase + map[o], g, gx);
  }
}

// The input index output index o - before reads along an axis of size n, or -1 (the fill).
function sourceIndex(mode: string, i: number, n: number): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'reflect':
      return i < 0 ? -i : 2 * (n - 1) - i;
    case 'replicate':
      return i < 0 ? 0 : n - 1;
    case 'circular':
      return ((i % n) + n) % n;
    default:
      return -1;
  }
}

// The bounds torch puts on each mode, with the axis named in the error.
function checkAxis(
  mode: string,
  d: number,
  n: number,
  before: number,
  after: number,
  shape: readonly number[],
) {
  const where = `dim ${d} of size ${n} in ${fmtShape(shape)}`;
  if (mode === 'constant') {
    if (n + before + after < 0) {
      throw new ArgumentError(`pad: padding [${before}, ${after}] crops more than ${where} holds`);
    }
    return;
  }
  if (before < 0 || after < 0) {
    throw new ArgumentError(`pad: mode '${mode}' needs padding >= 0, got [${before}, ${after}] for ${where}`);
  }
  if (before === 0 && after === 0) return;
  if (mode === 'reflect' && (before >= n || after >= n)) {
    throw new ArgumentError(
      `pad: reflect padding [${before}, ${after}] must be smaller than ${where} (the edge is not repeated)`,
    );
  }
  if (mode === 'circular' && (before > n || after > n)) {
    throw new ArgumentError(
      `pad: circular padding [${before}, ${after}] wraps more than once around ${where}`,
    );
  }
  if (n === 0) throw new ArgumentError(`pad: mode '${mode}' cannot pad the empty ${where}`);
}
