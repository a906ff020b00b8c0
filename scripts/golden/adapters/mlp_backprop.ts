// Golden adapter for `mlp_backprop` (golden/mlp_backprop.json): the hand-written MLP in the
// seed's column layout. Outputs al and loss of the first forward, grads dw_l/db_l of
// J = 0.5 sum((al - y)^2) / m from its backward, then params.afterSteps plain gradient-descent
// steps (w_after, b_after, loss_after). The same steps are run on the nn.Sequential + autograd
// + optim.SGD twin (mlp.toSequential(), objective mlpObjective): a check asserts both end at
// the same weights.

import { type Activation, F, MLP, mlpObjective, optim, type Tensor } from '../../../src/index.js';
import type { GoldenCase, OpAdapter } from '../types.js';
import { caseInputs, need, param } from '../util.js';

/** Layers of a case without params.layers: inputs w1, w2, ... up to the first one missing. */
function countWeights(c: GoldenCase): number {
  let L = 0;
  while (c.inputs[`w${L + 1}`] !== undefined) L++;
  return L;
}

const adapter: OpAdapter = {
  op: 'mlp_backprop',
  run(c, ctx) {
    const inputs = caseInputs(c, ctx);
    // layers may be left out (the weights w1, w2, ... give them); no afterSteps means no updates
    const L = c.params.layers === undefined ? countWeights(c) : param(c, 'layers', 'number[]').length - 1;
    const steps = param(c, 'afterSteps', 'number', 0);
    const lr = param(c, 'learningRate', 'number', steps > 0 ? undefined : 0);
    const ls = Array.from({ length: L }, (_, i) => i + 1);
    const mlp = MLP.fromParameters(
      ls.map((l) => need(inputs, `w${l}`, c)),
      ls.map((l) => need(inputs, `b${l}`, c)),
      { activation: param(c, 'activation', 'string') as Activation },
    );
    const x = need(inputs, 'x', c);
    const y = need(inputs, 'y', c);
    const seq = mlp.toSequential();
    const al = mlp.forward(x);
    const { dw, db } = mlp.backward(y);
    const outputs: Record<string, Tensor> = { al, loss: F.mseLoss(al, y) }; // the seed's mean((al - y)^2)
    const grads: Record<string, Tensor> = {};
    ls.forEach((l) => {
      grads[`dw${l}`] = dw[l - 1];
      grads[`db${l}`] = db[l - 1];
    });
    for (let s = 0; s < steps; s++) {
      mlp.forward(x);
      mlp.backward(y);
      mlp.step(lr);
    }
    const xr = x.mT;
    const yr = y.mT;
    const opt = new optim.SGD(seq.parameters(), { lr });
    for (let s = 0; s < steps; s++) {
      opt.zeroGrad();
      mlpObjective(seq.forward(xr), yr).backward();
      opt.step();
    }
    let diff = 0;
    ls.forEach((l) => {
      outputs[`w${l}_after`] = mlp.weights[l - 1];
      outputs[`b${l}_after`] = mlp.biases[l - 1];
      const [w, b] = [seq.parameters()[2 * (l - 1)], seq.parameters()[2 * (l - 1) + 1]];
      for (let i = 0; i < w.size; i++)
        diff = Math.max(diff, Math.abs(w.data[i] - mlp.weights[l - 1].data[i]));
      for (let i = 0; i < b.size; i++) diff = Math.max(diff, Math.abs(b.data[i] - mlp.biases[l - 1].data[i]));
    });
    outputs.loss_after = F.mseLoss(mlp.forward(x), y);
    const bound = ctx.dtype === 'float64' ? 1e-10 : 1e-4;
    return {
      outputs,
      grads,
      checks: [
        {
          what: 'nn.Sequential + autograd == hand-written MLP',
          ok: diff <= bound,
          detail: `max |param difference| ${diff} (bound ${bound})`,
        },
      ],
    };
  },
};

export default adapter;
