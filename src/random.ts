// Seeded randomness. The generator is xoshiro128** (Blackman & Vigna, 2018): 128 bits of
// state, 32-bit integer operations only (fast and exact in JavaScript), period 2^128 - 1.
// The state is seeded from one 32-bit integer through SplitMix32, so nearby seeds give
// unrelated streams. Same seed, same numbers, on every platform.

import { ArgumentError } from './errors.js';

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A seeded pseudo-random generator (xoshiro128**). */
export class Generator {
  // The state in an Int32Array, not four number fields: a field holding an int32 beyond V8's
  // 31-bit small integers is a boxed heap number, and every store to it allocated a new one
  // (measured: 7-20 ns per draw, a quarter of a California-housing SGD epoch in its shuffle).
  private readonly s = new Int32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    if (!Number.isInteger(seed)) throw new ArgumentError(`Generator: seed must be an integer, got ${seed}`);
    const sm = splitmix32(seed);
    const s = this.s;
    for (let i = 0; i < 4; i++) s[i] = sm();
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // the all-zero state is a fixed point
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const s1 = s[1];
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const s2 = s[2] ^ s[0];
    const s3 = s[3] ^ s1;
    s[1] = s1 ^ s2;
    s[0] ^= s3;
    s[2] = s2 ^ (s1 << 9);
    s[3] = rotl(s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.random();
  }

  /** Uniform integer in [low, high) without modulo bias (rejection sampling). */
  randint(low: number, high: number): number {
    const range = high - low;
    if (!Number.isInteger(low) || !Number.isInteger(high) || range <= 0) {
      throw new ArgumentError(`randint: need integers low < high, got [${low}, ${high})`);
    }
    if (range <= 0x100000000) {
      let r = this.nextUint32();
      // Rejection keeps the draw unbiased: values at or above the largest multiple of `range`
      // are redrawn. r >= limit implies r >= 2^32 - range, so the limit (a slow float modulo)
      // is computed only for draws near the top.
      if (r >= 0x100000000 - range) {
        const limit = 0x100000000 - (0x100000000 % range);
        while (r >= limit) r = this.nextUint32();
      }
      // r % range without V8's float modulo (a call to fmod, ~45% of a shuffle): r < 2^32 and
      // range <= 2^32, so a quotient r / range that is not an integer lies at least 1 / range
      // below the next one, far more than its rounding error (2^-53 relative); the floor is
      // then the exact integer quotient, and r - q range (exact: below 2^32) is exactly
      // r % range. Same draws as before, bit for bit.
      return low + (r - Math.floor(r / range) * range);
    }
    return low + Math.floor(this.random() * range);
  }

  /** Standard normal deviate (Box-Muller; the second value of each pair is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.random(); // log(0) is -inf
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `arr` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.randint(0, i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    checkCount('permutation', n);
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** `k` distinct indices from 0..n-1 in random order (partial Fisher-Yates, O(k) memory via a sparse swap map). */
  sampleWithoutReplacement(n: number, k: number): Int32Array {
    checkCount('sampleWithoutReplacement', n);
    if (!Number.isInteger(k) || k < 0 || k > n) {
      throw new ArgumentError(`sampleWithoutReplacement: k must be an integer in [0, ${n}], got ${k}`);
    }
    const swapped = new Map<number, number>();
    const out = new Int32Array(k);
    for (let i = 0; i < k; i++) {
      const j = this.randint(i, n);
      const vj = swapped.get(j) ?? j;
      const vi = swapped.get(i) ?? i;
      swapped.set(j, vi);
      out[i] = vj;
    }
    return out;
  }

  /** Index drawn with probability proportional to `weights` (non-negative, not all zero). */
  choice(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    if (!(total > 0))
      throw new ArgumentError(`choice: weights must have a positive finite sum, got ${total}`);
    let r = this.random() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return weights.length - 1;
  }
}

function checkCount(op: string, n: number): void {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError(`${op}: n must be a non-negative integer, got ${n}`);
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed or a generator: what every random function in shousi takes. */
export type RandomSource = number | Generator;

let defaultGen = new Generator(0);

/** Resets the global generator used when no seed is given (like torch.manual_seed). */
export function manualSeed(seed: number): void {
  defaultGen = new Generator(seed);
}

/** Resolves a seed or generator; `undefined` means the global generator. */
export function toGenerator(src?: RandomSource): Generator {
  if (src === undefined) return defaultGen;
  return typeof src === 'number' ? new Generator(src) : src;
}
