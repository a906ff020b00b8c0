// Stochastic gradient descent with torch.optim.SGD's exact update (torch 1.13):
//   g = grad + weightDecay * p                      (L2 penalty folded into the gradient)
//   b = g                              on the first step with momentum
//   b = momentum * b + (1 - dampening) * g          afterwards
//   g = g + momentum * b   (nesterov)   or   g = b
//   p = p - lr * g
// Note torch's form: the velocity holds gradients, not lr-scaled steps, so changing lr
// mid-training (a scheduler) rescales the whole step at once.

import { ArgumentError, nonNegative } from '../errors.js';
import { withDefaults } from '../options.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkLr, Optimizer, type ParamGroup, type ParamGroupInput } from './optimizer.js';

export interface SGDOptions {
  /** Learning rate (required by torch; default here 0.01), > 0. */
  lr?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

const DEFAULTS = {
  lr: 0.01,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weightDecay: 0,
} satisfies Required<SGDOptions>;

/** SGD with optional momentum, dampening, Nesterov and weight decay, as torch.optim.SGD. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: readonly Tensor[] | readonly ParamGroupInput<SGDOptions>[], opts: SGDOptions = {}) {
    super('SGD', params, withDefaults(DEFAULTS, opts, 'SGD'));
  }

  protected validate(g: ParamGroup<SGDOptions>): void {
    checkLr('SGD', g.lr);
    nonNegative('SGD', 'momentum', g.momentum);
    nonNegative('SGD', 'dampening', g.dampening);
    nonNegative('SGD', 'weightDecay', g.weightDecay);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new ArgumentError(
        `SGD: nesterov needs momentum > 0 and dampening 0 (momentum ${g.momentum}, dampening ${g.dampening})`,
      );
    }
  }

  protected update(p: Tensor, grad: Tensor, g: ParamGroup<SGDOptions>): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = g;
    const w = p.data;
    const dw = grad.data;
    const n = w.length;
    if (momentum === 0) {
      for (let i = 0; i < n; i++) w[i] -= lr * (dw[i] + weightDecay * w[i]);
      return;
    }
    const first = !this.hasState(p, 'momentumBuffer');
    const buf = this.buffer(p, 'momentumBuffer');
    for (let i = 0; i < n; i++) {
      const gi = dw[i] + weightDecay * w[i];
      const b = first ? gi : momentum * buf[i] + (1 - dampening) * gi;
      buf[i] = b;
      w[i] -= lr * (nesterov ? gi + momentum * b : b);
    }
  }
}
