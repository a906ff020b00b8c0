// The backprop MLP written out by hand, in the seed's column layout: reference code for
// reading, not the way to build networks (that is nn.Sequential + autograd, see toSequential).
// Legend: L weight layers, m samples (columns), n_l units in layer l (n_0 inputs, n_L outputs).
//
//   forward, l = 1..L:   z_l = w_l a_{l-1} + b_l        w_l [n_l, n_{l-1}], b_l [n_l, 1], a_0 = x [n_0, m]
//                        a_l = act(z_l) for hidden layers; the last layer is linear: a_L = z_L
//   objective:           J = 0.5 sum((a_L - y)^2) / m   (reported loss: mean((a_L - y)^2), the seed's)
//   backward:            dz_L = a_L - y                                   dJ/dz_L
//                        dw_l = dz_l a_{l-1}^T / m,   db_l = rowsum(dz_l) / m
//                        dz_{l-1} = (w_l^T dz_l) * act'(z_{l-1})          chain rule through a_{l-1}
//   update:              w_l -= lr dw_l,  b_l -= lr db_l                  plain gradient descent
// act' is taken from the cached activations where that is cheaper: sigmoid' = a (1 - a),
// tanh' = 1 - a^2, relu' = [z > 0] (relu'(0) = 0, as torch).

import { noGrad } from '../autograd/engine.js';
import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import { ReLU, Sigmoid, Tanh } from '../nn/activation.js';
import { Linear } from '../nn/linear.js';
import { Sequential, type TensorModule } from '../nn/sequential.js';
import { mseLoss } from '../ops/loss.js';
import type { Optimizer } from '../optim/optimizer.js';
import { withDefaults } from '../options.js';
import type { RandomSource } from '../random.js';
import type { Tensor } from '../tensor/tensor.js';
import { initParameters, type MLPInit } from './mlp-init.js';
import { drain, type TrainEvent, type TrainOptions, type TrainResult, trainSteps } from './train.js';

export type { MLPInit } from './mlp-init.js';

/** The hidden layers' nonlinearity. */
export type Activation = 'sigmoid' | 'tanh' | 'relu';

/** Options of the MLP constructor. */
export interface MLPOptions {
  /** Hidden-layer activation (default 'sigmoid', the seed's). */
  activation?: Activation;
  /** Initialisation (default 'auto'; see mlp-init.ts). */
  init?: MLPInit;
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Seed or generator of the initialisation. */
  generator?: RandomSource | null;
}

const DEFAULTS = {
  activation: 'sigmoid',
  init: 'auto',
  dtype: 'float32',
  generator: null,
} satisfies Required<MLPOptions>;

/** The activation as an nn module, for toSequential. */
const ACTIVATION_MODULES: Record<Activation, () => TensorModule> = {
  sigmoid: () => new Sigmoid(),
  tanh: () => new Tanh(),
  relu: () => new ReLU(),
};

/** Training options; `validation` is in the MLP's own layout: X [n_0, m'], y [n_L, m']. */
export interface MLPFitOptions extends Omit<TrainOptions, 'epochs'> {
  /** Gradient steps when full-batch; epochs otherwise (default 1000). */
  steps?: number;
  /** Learning rate of the plain gradient-descent update (default 0.3, the seed's). */
  lr?: number;
  /** An optimizer over mlp.parameters() to use instead of plain gradient descent (default none). */
  optimizer?: Optimizer | null;
  /** Columns per step (default null: all m, full-batch as the seed). */
  batchSize?: number;
}

const FIT_DEFAULTS = {
  steps: 1000,
  lr: 0.3,
  optimizer: null,
} satisfies Required<Pick<MLPFitOptions, 'steps' | 'lr' | 'optimizer'>>;

/** A fully connected network with hand-written forward, backward and update. */
export class MLP {
  readonly layers: readonly number[];
  readonly activation: Activation;
  /** w_l [n_l, n_{l-1}], l = 1..L (index l - 1). */
  readonly weights: Tensor[];
  /** b_l [n_l, 1]. */
  readonly biases: Tensor[];
  /** Per-step loss mean((a_L - y)^2) from the last fit. */
  history: TrainResult['history'] = [];
  private z: Tensor[] = [];
  private a: Tensor[] = [];

  constructor(layers: readonly number[], opts: MLPOptions = {}) {
    const o = withDefaults(DEFAULTS, opts, 'MLP');
    if (layers.length < 2 || !layers.every((n) => Number.isInteger(n) && n >= 1)) {
      throw new ArgumentError(`MLP: layers must be at least 2 positive integers, got [${layers.join(',')}]`);
    }
    if (!Object.hasOwn(ACTIVATION_MODULES, o.activation)) {
      throw new ArgumentError(
        `MLP: activation must be 'sigmoid', 'tanh' or 'relu', got ${String(o.activation)}`,
      );
    }
    const { weights, biases } = initParameters(layers, o);
    this.layers = [...layers];
    this.activation = o.activation;
    this.weights = weights;
    this.biases = biases;
  }

  /** An MLP holding the given parameters (copied): weights w_l [n_l, n_{l-1}], biases b_l [n_l, 1]. */
  static fromParameters(
    weights: readonly Tensor[],
    biases: readonly Tensor[],
    opts: Omit<MLPOptions, 'init' | 'generator'> = {},
  ): MLP {
    if (weights.length === 0 || weights.length !== biases.length) {
      throw new ArgumentError(
        `MLP.fromParameters: need one bias per weight, got ${weights.length} weights and ${biases.length} biases`,
      );
    }
    const layers = [weights[0].shape[1], ...weights.map((w) => w.shape[0])];
    const mlp = new MLP(layers, {
      ...opts,
      dtype: opts.dtype ?? (weights[0].dtype === 'float64' ? 'float64' : 'float32'),
    });
    weights.forEach((w, i) => {
      const want = [layers[i + 1], layers[i]];
      if (w.ndim !== 2 || w.shape[0] !== want[0] || w.shape[1] !== want[1])
        throw new ShapeError(
          `MLP.fromParameters: w${i + 1} is ${fmtShape(w.shape)}, expected ${fmtShape(want)}`,
        );
      if (biases[i].size !== want[0])
        throw new ShapeError(
          `MLP.fromParameters: b${i + 1} is ${fmtShape(biases[i].shape)}, expected [${want[0]},1]`,
        );
      mlp.weights[i].data.set(w.data);
      mlp.biases[i].data.set(biases[i].data);
    });
    return mlp;
  }

  /** [w1, b1, w2, b2, ...]: what an optimizer takes. */
  parameters(): Tensor[] {
    return this.weights.flatMap((w, i) => [w, this.biases[i]]);
  }

  /** a_L for x: [n_0, m] -> [n_L, m]; caches every z_l and a_l for backward. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 2 || x.shape[0] !== this.layers[0]) {
      throw new ShapeError(
        `MLP.forward: x must be [${this.layers[0]}, m] (features x samples), got ${fmtShape(x.shape)}`,
      );
    }
    return noGrad(() => {
      const L = this.weights.length;
      this.a = [x];
      this.z = [];
      for (let l = 0; l < L; l++) {
        const z = this.weights[l].matmul(this.a[l]).add(this.biases[l]); // b [n_l, 1] broadcasts over columns
        this.z.push(z);
        this.a.push(l === L - 1 ? z : this.act(z));
      }
      return this.a[L];
    });
  }

  /** Gradients of J = 0.5 sum((a_L - y)^2) / m for y: [n_L, m], from the last forward; also set as .grad. */
  backward(y: Tensor): { dw: Tensor[]; db: Tensor[] } {
    const L = this.weights.length;
    if (this.a.length !== L + 1) throw new ArgumentError('MLP.backward: call forward first');
    const al = this.a[L];
    if (y.ndim !== 2 || y.shape[0] !== al.shape[0] || y.shape[1] !== al.shape[1]) {
      throw new ShapeError(
        `MLP.backward: y ${fmtShape(y.shape)} must match the output ${fmtShape(al.shape)}`,
      );
    }
    const m = al.shape[1];
    return noGrad(() => {
      const dw: Tensor[] = new Array(L);
      const db: Tensor[] = new Array(L);
      let dz = al.sub(y); // dz_L = a_L - y
      for (let l = L - 1; l >= 0; l--) {
        dw[l] = dz.matmul(this.a[l].mT).div(m); // dz_l a_{l-1}^T / m
        db[l] = dz.sum(1, { keepdim: true }).div(m); // rowsum(dz_l) / m
        if (l > 0) dz = this.weights[l].mT.matmul(dz).mul(this.actGrad(l - 1)); // (w_l^T dz_l) * act'(z_{l-1})
      }
      dw.forEach((g, l) => {
        this.weights[l].grad = g;
        this.biases[l].grad = db[l];
      });
      return { dw, db };
    });
  }

  /** Plain gradient descent with the gradients of the last backward: p -= lr dp. */
  step(lr: number): void {
    for (const p of this.parameters()) {
      if (p.grad === null) throw new ArgumentError('MLP.step: call backward first');
      const g = p.grad.data;
      for (let i = 0; i < p.size; i++) p.data[i] -= lr * g[i];
    }
  }

  /** The seed's loss mean((a_L - y)^2) over all elements. x: [n_0, m], y: [n_L, m]. */
  loss(x: Tensor, y: Tensor): number {
    return noGrad(() => mseLoss(this.forward(x), y).item());
  }

  /** Trains on x: [n_0, m], y: [n_L, m] (full-batch gradient descent by default). */
  fit(x: Tensor, y: Tensor, opts: MLPFitOptions = {}): this {
    drain(this.fitSteps(x, y, opts));
    return this;
  }

  /** fit as a generator of training events, through the shared loop (divergence checks, history, progress). x: [n_0, m], y: [n_L, m]. */
  *fitSteps(x: Tensor, y: Tensor, opts: MLPFitOptions = {}): Generator<TrainEvent, TrainResult, undefined> {
    const {
      steps = FIT_DEFAULTS.steps,
      lr = FIT_DEFAULTS.lr,
      optimizer = FIT_DEFAULTS.optimizer,
      ...rest
    } = opts;
    if (!(lr > 0)) throw new ArgumentError(`MLP.fit: lr must be > 0, got ${lr}`);
    if (x.ndim !== 2 || y.ndim !== 2 || x.shape[1] !== y.shape[1]) {
      throw new ShapeError(
        `MLP.fit: x [n_0, m] and y [n_L, m] need the same m, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`,
      );
    }
    const m = x.shape[1];
    const batchSize = rest.batchSize ?? m;
    // The loop batches rows, so it sees samples as rows; each step turns them back into columns.
    const task = {
      optimizer,
      step: (xb: Tensor, yb: Tensor) => {
        const yc = yb.mT;
        const loss = noGrad(() => mseLoss(this.forward(xb.mT), yc).item());
        this.backward(yc);
        if (optimizer) optimizer.step();
        else this.step(lr);
        return loss;
      },
      evaluate: (xv: Tensor, yv: Tensor) => this.loss(xv.mT, yv.mT),
    };
    const validation = rest.validation ? { X: rest.validation.X.mT, y: rest.validation.y.mT } : null;
    const result = yield* trainSteps(task, x.mT, y.mT, {
      shuffle: batchSize < m,
      ...rest,
      validation,
      batchSize,
      epochs: steps,
    });
    this.history = result.history;
    return result;
  }

  /** The same network as nn.Sequential(Linear, act, ..., Linear) with copied parameters ([m, n_0] -> [m, n_L] layout). */
  toSequential(): Sequential {
    const dtype = this.weights[0].dtype === 'float64' ? 'float64' : 'float32';
    const mods: TensorModule[] = [];
    this.weights.forEach((w, l) => {
      const lin = new Linear(w.shape[1], w.shape[0], { dtype, generator: 0 });
      lin.weight.data.set(w.data); // nn.Linear's weight is [out, in], like w_l
      lin.bias!.data.set(this.biases[l].data);
      mods.push(lin);
      if (l < this.weights.length - 1) mods.push(ACTIVATION_MODULES[this.activation]());
    });
    return new Sequential(...mods);
  }

  private act(z: Tensor): Tensor {
    return this.activation === 'sigmoid' ? z.sigmoid() : this.activation === 'tanh' ? z.tanh() : z.relu();
  }

  // act'(z_l) for hidden layer l (0-based index into the caches).
  private actGrad(l: number): Tensor {
    const a = this.a[l + 1];
    if (this.activation === 'sigmoid') return a.sub(a.square()); // s (1 - s) = s - s^2
    if (this.activation === 'tanh') return a.square().neg().add(1); // 1 - tanh^2
    return this.z[l].gt(0).to(a.dtype); // relu'(0) = 0, as torch
  }
}

/**
 * The seed's objective J = 0.5 sum((pred - y)^2) / m for the row layout pred, y: [m, n_L];
 * with nn.Sequential + autograd it yields exactly the hand-written MLP's gradients.
 */
export function mlpObjective(pred: Tensor, y: Tensor): Tensor {
  return mseLoss(pred, y, { reduction: 'sum' }).mul(0.5 / pred.shape[0]);
}
