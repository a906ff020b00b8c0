// Finite-difference gradient check in float64, for tests and for users' own ops.
// With a random upstream gradient u, compares the analytic vector-Jacobian product from
// backward() against central differences of L(x) = sum(u * f(x)):
//   dL/dx_i ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)

import { AutogradError, DTypeError } from '../errors.js';
import { withDefaults } from '../options.js';
import { Generator } from '../random.js';
import { Tensor } from '../tensor/tensor.js';
import { noGrad } from './engine.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the random upstream gradient (default 0). */
  seed?: number;
}

const DEFAULTS = { eps: 1e-6, atol: 1e-5, rtol: 1e-3, seed: 0 } satisfies Required<GradcheckOptions>;

/**
 * Checks the gradients of `fn` at `inputs` (float64 tensors; those with requiresGrad are
 * checked). Returns true, or throws an AutogradError naming the input, element, and both values.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | Tensor[],
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): true {
  const opts = withDefaults(DEFAULTS, options, 'gradcheck');
  for (const x of inputs) {
    if (x.requiresGrad && x.dtype !== 'float64') {
      throw new DTypeError(`gradcheck: inputs that require grad must be float64, got ${x.dtype}`);
    }
  }
  const run = (xs: readonly Tensor[]): Tensor[] => {
    const y = fn(...xs);
    return Array.isArray(y) ? y : [y];
  };
  const g = new Generator(opts.seed);
  const ys = run(inputs);
  const ups = ys.map(
    (y) =>
      new Tensor(
        Float64Array.from({ length: y.size }, () => g.normal()),
        y.shape,
      ),
  );
  const objective = (outs: Tensor[]): number => {
    let s = 0;
    outs.forEach((y, k) => {
      const u = ups[k].data;
      for (let i = 0; i < y.size; i++) s += y.data[i] * u[i];
    });
    return s;
  };
  for (const x of inputs) x.grad = null;
  // L = sum_k sum(u_k * y_k): one backward through all outputs
  let L: Tensor | null = null;
  ys.forEach((y, k) => {
    if (!y.requiresGrad) return;
    const term = y.to('float64').mul(ups[k]).sum();
    L = L === null ? term : L.add(term);
  });
  if (L === null) throw new AutogradError('gradcheck: no output requires grad');
  (L as Tensor).backward();
  inputs.forEach((x, idx) => {
    if (!x.requiresGrad) return;
    const analytic = x.grad?.data ?? new Float64Array(x.size);
    const data = x.data as Float64Array;
    for (let i = 0; i < x.size; i++) {
      const orig = data[i];
      data[i] = orig + opts.eps;
      const lp = noGrad(() => objective(run(inputs)));
      data[i] = orig - opts.eps;
      const lm = noGrad(() => objective(run(inputs)));
      data[i] = orig;
      const numeric = (lp - lm) / (2 * opts.eps);
      const a = analytic[i];
      if (!(Math.abs(a - numeric) <= opts.atol + opts.rtol * Math.abs(numeric))) {
        throw new AutogradError(
          `gradcheck: gradient mismatch for input ${idx} [${x.shape.join(',')}] at element ${i}: analytic ${a} vs numeric ${numeric}`,
        );
      }
    }
  });
  return true;
}
