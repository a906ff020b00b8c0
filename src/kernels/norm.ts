// Kernels of the normalisation layers, over typed arrays. Both layers normalise groups of
// values g (a row for LayerNorm, a channel for BatchNorm) and share one backward formula:
//   dx = rstd * (dy' - mean_g(dy') - xhat * mean_g(dy' * xhat)),   dy' = dy * w
// (derived in src/ops/layer-norm.ts and src/ops/batch-norm.ts).
//
// Layouts: LayerNorm sees x as [R, D] (R rows of the D normalised values); BatchNorm sees
// x as [N, C, S] (S = product of the spatial dims, 1 for [N, C]) and reduces over N and S.
// Statistics are float64 whatever the storage, and the variance takes two passes (mean
// first): E[x^2] - E[x]^2 cancels catastrophically when |mean| >> std.

import type { Storage } from '../tensor/dtype.js';
import { layerNormForwardWasm } from './wasm/rows.js';

/** Per row of x [R, D]: mean, rstd = 1/sqrt(biased var + eps); y = (x - mean) * rstd * w + b. */
export function layerNormForward(
  x: Storage,
  R: number,
  D: number,
  w: Storage | null,
  b: Storage | null,
  eps: number,
  y: Storage,
  mean: Float64Array,
  rstd: Float64Array,
): void {
  if (layerNormForwardWasm(x, R, D, w, b, eps, y, mean, rstd)) return; // wasm SIMD when loaded
  for (let r = 0; r < R; r++) {
    const base = r * D;
    const end = base + D;
    // several independent accumulators: the adds pipeline instead of waiting on one another
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = base;
    for (; j + 3 < end; j += 4) {
      s0 += x[j];
      s1 += x[j + 1];
      s2 += x[j + 2];
      s3 += x[j + 3];
    }
    for (; j < end; j++) s0 += x[j];
    const mu = (s0 + s1 + s2 + s3) / D;
    // second pass; subtracting (sum d)^2 / D corrects the rounding of mu (Chan, Golub & LeVeque)
    let q0 = 0;
    let q1 = 0;
    let d0 = 0;
    let d1 = 0;
    for (j = base; j + 1 < end; j += 2) {
      const e0 = x[j] - mu;
      const e1 = x[j + 1] - mu;
      q0 += e0 * e0;
      q1 += e1 * e1;
      d0 += e0;
      d1 += e1;
    }
    if (j < end) {
      const e0 = x[j] - mu;
      q0 += e0 * e0;
      d0 += e0;
    }
    const sd = d0 + d1;
    const rs = 1 / Math.sqrt((q0 + q1 - (sd * sd) / D) / D + eps);
    mean[r] = mu;
    rstd[r] = rs;
    if (w && b) for (let k = 0; k < D; k++) y[base + k] = (x[base + k] - mu) * rs * w[k] + b[k];
    else if (w) for (let k = 0; k < D; k++) y[base + k] = (x[base + k] - mu) * rs * w[k];
    else if (b) for (let k = 0; k < D; k++) y[base + k] = (x[base + k] - mu) * rs + b[k];
    else for (let k = 0; k < D; k++) y[base + k] = (x[base + k] - mu) * rs;
  }
}

/**
 * LayerNorm backward over x [R, D]: dx (when given) per row, and dw += sum_r dy * xhat,
 * db += sum_r dy (float64 accumulators, when given).
 */
export function layerNormBackward(
  x: Storage,
  dy: Storage,
  R: number,
  D: number,
  w: Storage | null,
  mean: Float64Array,
  rstd: Float64Array,
  dx: Storage | null,
  dw: Float64Array | null,
  db: Float64Array | null,
): void {
  for (let r = 0; r < R; r++) {
    const base = r * D;
    const mu = mean[r];
    const rs = rstd[r];
    let sg = 0; // sum dy'
    let sgx = 0; // sum dy' * xhat
    for (let j = 0; j < D; j++) {
      const g = w ? dy[base + j] * w[j] : dy[base + j];
      const xh = (x[base + j] - mu) * rs;
      sg += g;
      sgx += g * xh;
      if (dw) dw[j] += dy[base + j] * xh;
      if (db) db[j] += dy[base + j];
    }
    if (!dx) continue;
    const a = sg / D;
    const c = sgx / D;
    for (let j = 0; j < D; j++) {
      const g = w ? dy[base + j] * w[j] : dy[base + j];
      dx[base + j] = rs * (g - a - (x[base + j] - mu) * rs * c);
    }
  }
}

/** Per channel of x [N, C, S]: mean and biased variance over N and S, two passes. */
export function channelMoments(
  x: Storage,
  N: number,
  C: number,
  S: number,
  mean: Float64Array,
  biasedVar: Float64Array,
): void {
  const n = N * S;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let i = 0; i < N; i++) {
      const base = (i * C + c) * S;
      for (let k = 0; k < S; k++) s += x[base + k];
    }
    const mu = s / n;
    let ss = 0;
    let sd = 0;
    for (let i = 0; i < N; i++) {
      const base = (i * C + c) * S;
      for (let k = 0; k < S; k++) {
        const d = x[base + k] - mu;
        ss += d * d;
        sd += d;
      }
    }
    mean[c] = mu;
    biasedVar[c] = (ss - (sd * sd) / n) / n;
  }
}

/** y = (x - mean[c]) * rstd[c] * w[c] + b[c] over x [N, C, S] (w, b optional). */
export function normalizeChannels(
  x: Storage,
  N: number,
  C: number,
  S: number,
  mean: Float64Array,
  rstd: Float64Array,
  w: Storage | null,
  b: Storage | null,
  y: Storage,
): void {
  for (let c = 0; c < C; c++) {
    const mu = mean[c];
    const scale = rstd[c] * (w ? w[c] : 1);
    const shift = b ? b[c] : 0;
    for (let i = 0; i < N; i++) {
      const base = (i * C + c) * S;
      for (let k = 0; k < S; k++) y[base + k] = (x[base + k] - mu) * scale + shift;
    }
  }
}

/**
 * BatchNorm backward over x [N, C, S]: dw[c] = sum dy * xhat, db[c] = sum dy, and (when
 * given) dx. With 'batch' statistics (training) mean and rstd depend on x:
 * dx = w rstd (dy - mean(dy) - xhat mean(dy xhat)); with fixed 'running' statistics (eval)
 * they are constants and dx = w rstd dy.
 */
export function normalizeChannelsBackward(
  x: Storage,
  dy: Storage,
  N: number,
  C: number,
  S: number,
  mean: Float64Array,
  rstd: Float64Array,
  w: Storage | null,
  statistics: 'batch' | 'running',
  dx: Storage | null,
  dw: Float64Array,
  db: Float64Array,
): void {
  const n = N * S;
  const centre = statistics === 'batch';
  for (let c = 0; c < C; c++) {
    const mu = mean[c];
    const rs = rstd[c];
    let sdy = 0;
    let sdyx = 0;
    for (let i = 0; i < N; i++) {
      const base = (i * C + c) * S;
      for (let k = 0; k < S; k++) {
        const g = dy[base + k];
        sdy += g;
        sdyx += g * (x[base + k] - mu) * rs;
      }
    }
    dw[c] = sdyx;
    db[c] = sdy;
    if (!dx) continue;
    const scale = rs * (w ? w[c] : 1);
    const a = centre ? sdy / n : 0;
    const q = centre ? sdyx / n : 0;
    for (let i = 0; i < N; i++) {
      const base = (i * C + c) * S;
      for (let k = 0; k < S; k++) dx[base + k] = scale * (dy[base + k] - a - (x[base + k] - mu) * rs * q);
    }
  }
}
