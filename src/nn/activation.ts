// Activation modules and Dropout: stateless wrappers around the ops, for nn.Sequential.
// Elementwise: every forward maps x: [...] to a tensor of x's shape.

import { dropout } from '../ops/dropout.js';
import { type GeluOptions, gelu, relu, sigmoid, tanh } from '../ops/unary.js';
import type { RandomSource } from '../random.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/** max(x, 0). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** 1 / (1 + e^-x). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh(x). */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** x Phi(x) (or the tanh approximation). */
export class GELU extends Module {
  constructor(private readonly opts: GeluOptions = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return gelu(x, this.opts);
  }
}

/** Dropout with rate p, active in training mode only. */
export class Dropout extends Module {
  constructor(
    readonly p = 0.5,
    private readonly opts: { generator?: RandomSource } = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training, generator: this.opts.generator });
  }
}
