// The hand-written MLP: the PyTorch fixture, agreement with its nn.Sequential + autograd twin,
// the seed's sin experiment with both initialisations, and bad input.

import { describe, expect, it } from 'vitest';
import {
  type Activation,
  ArgumentError,
  arange,
  MLP,
  mlpObjective,
  optim,
  ShapeError,
  supervisedTask,
  type Tensor,
  tensor,
  train,
} from '../src/index.js';
import { expectAllClose, loadFixture } from './helpers.js';

interface GT {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  params: { layers: number[]; activation: Activation; learningRate: number; afterSteps: number };
  inputs: Record<string, GT>;
  outputs: Record<string, GT>;
  grads: Record<string, GT>;
}
const fixture = loadFixture<{ cases: Case[] }>('mlp_backprop');
const T = (g: GT) => tensor(g.data, { shape: g.shape, dtype: 'float64' });

function fromCase(c: Case): MLP {
  const ls = c.params.layers.slice(1).map((_, i) => i + 1);
  return MLP.fromParameters(
    ls.map((l) => T(c.inputs[`w${l}`])),
    ls.map((l) => T(c.inputs[`b${l}`])),
    { activation: c.params.activation },
  );
}

// The twin trained by the shared loop: full batch, samples as rows.
function trainTwin(mlp: MLP, x: Tensor, y: Tensor, steps: number, lr: number) {
  const seq = mlp.toSequential();
  const opt = new optim.SGD(seq.parameters(), { lr });
  train(supervisedTask(seq, mlpObjective, opt), x.mT, y.mT, {
    epochs: steps,
    batchSize: x.shape[1],
    shuffle: false,
  });
  return seq.parameters();
}

describe('MLP vs the PyTorch fixture', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: forward, gradients, ${c.params.afterSteps} gradient-descent steps; the nn twin agrees to 1e-10`, () => {
      const mlp = fromCase(c);
      const x = T(c.inputs.x);
      const y = T(c.inputs.y);
      const L = c.params.layers.length - 1;
      expectAllClose(mlp.forward(x).data, c.outputs.al.data, { rtol: 1e-6, atol: 1e-8 });
      const { dw, db } = mlp.backward(y);
      for (let l = 1; l <= L; l++) {
        expectAllClose(dw[l - 1].data, c.grads[`dw${l}`].data, { rtol: 1e-6, atol: 1e-8 });
        expectAllClose(db[l - 1].data, c.grads[`db${l}`].data, { rtol: 1e-6, atol: 1e-8 });
      }
      expectAllClose([mlp.loss(x, y)], c.outputs.loss.data, { rtol: 1e-6, atol: 1e-8 });
      const twin = trainTwin(mlp, x, y, c.params.afterSteps, c.params.learningRate);
      mlp.fit(x, y, { steps: c.params.afterSteps, lr: c.params.learningRate });
      for (let l = 1; l <= L; l++) {
        expectAllClose(mlp.weights[l - 1].data, c.outputs[`w${l}_after`].data, { rtol: 1e-6, atol: 1e-8 });
        expectAllClose(mlp.biases[l - 1].data, c.outputs[`b${l}_after`].data, { rtol: 1e-6, atol: 1e-8 });
        expectAllClose(twin[2 * (l - 1)].data, mlp.weights[l - 1].data, { rtol: 0, atol: 1e-10 });
        expectAllClose(twin[2 * (l - 1) + 1].data, mlp.biases[l - 1].data, { rtol: 0, atol: 1e-10 });
      }
      expectAllClose([mlp.loss(x, y)], c.outputs.loss_after.data, { rtol: 1e-6, atol: 1e-8 });
    });
  }

  it("the loss reported during fit is the seed's mean((al - y)^2), before each step", () => {
    const c = fixture.cases[0];
    const mlp = fromCase(c);
    mlp.fit(T(c.inputs.x), T(c.inputs.y), { steps: 2, lr: c.params.learningRate });
    expect(mlp.history[0].trainLoss).toBeCloseTo(c.outputs.loss.data[0], 12);
  });
});

describe("the seed's experiment: y = 20 sin(2 pi x), layers [1, 25, 1], sigmoid, 4000 full-batch steps", () => {
  const x = arange(0, 100, 1, { dtype: 'float64' }).div(100).reshape([1, 100]);
  const y = tensor(
    Array.from(x.data, (v) => 20 * Math.sin(2 * Math.PI * v)),
    { shape: [1, 100], dtype: 'float64' },
  );

  it("the seed's uniform [0, 1) init and plain gradient descent (lr 0.3) end below MSE 1.0", () => {
    const mlp = new MLP([1, 25, 1], { init: 'uniform', dtype: 'float64', generator: 0 });
    const start = mlp.loss(x, y);
    mlp.fit(x, y, { steps: 4000, lr: 0.3 });
    expect(mlp.loss(x, y)).toBeLessThan(1.0);
    expect(start).toBeGreaterThan(100);
  });

  it('the default init (Xavier) with Adam (lr 0.01) ends below MSE 0.02', () => {
    const mlp = new MLP([1, 25, 1], { dtype: 'float64', generator: 0 });
    mlp.fit(x, y, { steps: 4000, optimizer: new optim.Adam(mlp.parameters(), { lr: 0.01 }) });
    expect(mlp.loss(x, y)).toBeLessThan(0.02);
  });
});

describe('MLP initialisation and bad input', () => {
  it('uniform is U[0, 1) for weights and biases; auto is Xavier for sigmoid, He for relu', () => {
    const u = new MLP([4, 50, 1], { init: 'uniform', generator: 1 });
    for (const p of u.parameters()) for (const v of p.data) expect(v >= 0 && v < 1).toBe(true);
    const xav = new MLP([4, 50, 1], { generator: 1 });
    const he = new MLP([4, 50, 1], { activation: 'relu', generator: 1 });
    const maxAbs = (t: Tensor) => Math.max(...Array.from(t.data, Math.abs));
    expect(maxAbs(xav.weights[0])).toBeLessThanOrEqual(Math.sqrt(6 / 54));
    expect(maxAbs(xav.weights[0])).toBeGreaterThan(0.8 * Math.sqrt(6 / 54));
    expect(maxAbs(he.weights[0])).toBeLessThanOrEqual(Math.sqrt(6 / 4));
    expect(maxAbs(he.weights[0])).toBeGreaterThan(0.8 * Math.sqrt(6 / 4));
    expect(Array.from(new MLP([2, 3, 1], { generator: 7 }).weights[0].data)).toEqual(
      Array.from(new MLP([2, 3, 1], { generator: 7 }).weights[0].data),
    );
  });

  it('rejects bad layers, activations, shapes and learning rates', () => {
    expect(() => new MLP([3])).toThrow(ArgumentError);
    expect(() => new MLP([3, 0, 1])).toThrow(/layers must be at least 2 positive integers/);
    expect(() => new MLP([1, 2], { activation: 'gelu' as Activation })).toThrow(/activation must be/);
    const mlp = new MLP([2, 3, 1], { generator: 0 });
    expect(() => mlp.forward(tensor([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => mlp.forward(tensor([[1, 2, 3]]))).toThrow(
      /x must be \[2, m\] \(features x samples\), got \[1,3\]/,
    );
    expect(() => mlp.backward(tensor([[1]]))).toThrow(/call forward first/);
    expect(() => mlp.fit(tensor([[1], [2]]), tensor([[1], [2]]))).toThrow(ShapeError);
    expect(() => mlp.fit(tensor([[1], [2]]), tensor([[1]]), { lr: 0 })).toThrow(/lr must be > 0/);
  });
});
