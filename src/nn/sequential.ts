// nn.Sequential: children named "0", "1", ... (PyTorch's keys), applied in order.

import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/** A module that maps one tensor to one tensor. */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

/** Modules applied one after another, each to the previous one's output. */
export class Sequential extends Module {
  readonly layers: readonly TensorModule[];

  constructor(...layers: TensorModule[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => {
      this.registerModule(String(i), m);
    });
  }

  /** x: the first layer's input shape -> the last layer's output shape. */
  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) h = m.forward(h);
    return h;
  }
}
