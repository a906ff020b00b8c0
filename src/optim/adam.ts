// Adam and AdamW with torch.optim's exact updates (torch 1.13), per element, step t >= 1:
//   Adam:  g = grad + weightDecay * p              (L2 folded into the gradient)
//   AdamW: p = p * (1 - lr * weightDecay)          (decoupled decay, applied to p first)
//   m = beta1 m + (1 - beta1) g                     first moment
//   v = beta2 v + (1 - beta2) g^2                   second moment
//   vmax = max(vmax, v)                             (amsgrad only; v below means vmax then)
//   p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// The bias corrections undo the zero initialisation of m and v. eps sits outside the
// corrected square root, exactly where torch puts it.

import { ArgumentError, nonNegative } from '../errors.js';
import { withDefaults } from '../options.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkLr, Optimizer, type ParamGroup, type ParamGroupInput } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the moment averages, each in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /** Adam: L2 penalty in the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay?: number;
  /** Keep the running max of the second moment (AMSGrad; default false). */
  amsgrad?: boolean;
}

const ADAM_DEFAULTS = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
} satisfies Required<AdamOptions>;

/** Adam (Kingma & Ba 2015), as torch.optim.Adam. */
export class Adam extends Optimizer<AdamOptions> {
  /** True for AdamW: weight decay shrinks p directly instead of entering the moments. */
  protected readonly decoupled: boolean = false;

  constructor(params: readonly Tensor[] | readonly ParamGroupInput<AdamOptions>[], opts: AdamOptions = {}) {
    super(new.target.name, params, withDefaults(ADAM_DEFAULTS, opts, new.target.name));
  }

  protected validate(g: ParamGroup<AdamOptions>): void {
    const name = this.constructor.name;
    checkLr(name, g.lr);
    nonNegative(name, 'eps', g.eps);
    nonNegative(name, 'weightDecay', g.weightDecay);
    if (!Array.isArray(g.betas) || g.betas.length !== 2) {
      throw new ArgumentError(`${name}: betas must be a pair [beta1, beta2], got ${JSON.stringify(g.betas)}`);
    }
    g.betas.forEach((b, i) => {
      if (typeof b !== 'number' || !(b >= 0 && b < 1))
        throw new ArgumentError(`${name}: betas[${i}] must be in [0, 1), got ${b}`);
    });
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<AdamOptions>): void {
    const { lr, eps, weightDecay, amsgrad } = g;
    const [beta1, beta2] = g.betas;
    const t = this.nextStep(p);
    const m = this.buffer(p, 'expAvg');
    const v = this.buffer(p, 'expAvgSq');
    const vmax = amsgrad ? this.buffer(p, 'maxExpAvgSq') : v;
    const stepSize = lr / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    const l2 = this.decoupled ? 0 : weightDecay;
    const shrink = this.decoupled ? 1 - lr * weightDecay : 1;
    const w = p.data;
    const dw = grad.data;
    for (let i = 0; i < w.length; i++) {
      const wi = w[i] * shrink;
      const gi = dw[i] + l2 * w[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      if (amsgrad && v[i] > vmax[i]) vmax[i] = v[i];
      w[i] = wi - (stepSize * m[i]) / (Math.sqrt(vmax[i]) / bc2Sqrt + eps);
    }
  }
}

/** AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay (default 1e-2), as torch.optim.AdamW. */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: readonly Tensor[] | readonly ParamGroupInput<AdamOptions>[], opts: AdamOptions = {}) {
    super(params, { weightDecay: 1e-2, ...opts });
  }
}
