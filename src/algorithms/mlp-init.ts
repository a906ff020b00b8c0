// How the hand-written MLP's parameters start. Legend: L weight layers, n_l units in layer l.
// 'auto' picks by activation: Xavier/Glorot for sigmoid and tanh, He/Kaiming for relu (relu
// zeroes about half its inputs; He's gain sqrt(2) makes up for it). Biases as torch's
// nn.Linear; 'uniform' is the seed's U[0, 1) for weights and biases.

import { ArgumentError } from '../errors.js';
import { kaimingUniform_, uniform_, xavierUniform_ } from '../nn/init.js';
import { type RandomSource, toGenerator } from '../random.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Activation } from './mlp.js';

/** 'auto': Xavier for sigmoid/tanh, He for relu (biases as torch's nn.Linear); 'uniform': the seed's U[0, 1) for weights and biases. */
export type MLPInit = 'auto' | 'xavier' | 'he' | 'uniform';

/** The MLP options initParameters reads (defaults already merged). */
export interface InitSpec {
  activation: Activation;
  init: MLPInit;
  dtype: 'float32' | 'float64';
  generator: RandomSource | null;
}

/**
 * Fresh parameters for the layer sizes, drawn in layer order (w_l, then b_l).
 * layers: [n_0, ..., n_L] -> weights w_l [n_l, n_{l-1}], biases b_l [n_l, 1], l = 1..L.
 */
export function initParameters(
  layers: readonly number[],
  spec: InitSpec,
): { weights: Tensor[]; biases: Tensor[] } {
  const init = spec.init === 'auto' ? (spec.activation === 'relu' ? 'he' : 'xavier') : spec.init;
  if (!['xavier', 'he', 'uniform'].includes(init))
    throw new ArgumentError(`MLP: unknown init ${String(spec.init)}`);
  const g = toGenerator(spec.generator ?? undefined);
  const weights: Tensor[] = [];
  const biases: Tensor[] = [];
  for (let l = 1; l < layers.length; l++) {
    const w = zeros([layers[l], layers[l - 1]], { dtype: spec.dtype });
    const b = zeros([layers[l], 1], { dtype: spec.dtype });
    if (init === 'uniform') {
      uniform_(w, 0, 1, g);
      uniform_(b, 0, 1, g);
    } else {
      if (init === 'xavier') xavierUniform_(w, 1, g);
      else kaimingUniform_(w, 0, g);
      // biases as torch's nn.Linear: U(-1/sqrt(fanIn), 1/sqrt(fanIn)); zero biases would
      // start every sigmoid unit's step at the same input (x = 0) and learn far slower
      const bound = 1 / Math.sqrt(layers[l - 1]);
      uniform_(b, -bound, bound, g);
    }
    weights.push(w);
    biases.push(b);
  }
  return { weights, biases };
}
