// Optimizers and schedulers against steps computed by hand from torch's documented updates.

import { describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, F, nn, optim, type Tensor, tensor } from '../src/index.js';

const p64 = (v: number[]) => tensor(v, { dtype: 'float64', requiresGrad: true });
const setGrad = (p: Tensor, g: number[]) => {
  p.grad = tensor(g, { dtype: 'float64' });
};
/** One optimizer step per scalar gradient in `grads`, applied to the single-element p. */
const stepThrough = (opt: optim.Optimizer, p: Tensor, grads: readonly number[]) => {
  for (const g of grads) {
    setGrad(p, [g]);
    opt.step();
  }
};
const close = (t: Tensor, want: number[]) => {
  want.forEach((w, i) => {
    expect(t.data[i]).toBeCloseTo(w, 14);
  });
};

describe('SGD', () => {
  it('plain: p -= lr g; weight decay adds wd p to g', () => {
    const p = p64([1, 2]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    setGrad(p, [0.5, -1]);
    opt.step();
    close(p, [0.95, 2.1]);
    const q = p64([1, 2]);
    const wd = new optim.SGD([q], { lr: 0.1, weightDecay: 0.5 });
    setGrad(q, [0.5, -1]);
    wd.step();
    close(q, [1 - 0.1 * (0.5 + 0.5), 2 - 0.1 * (-1 + 1)]);
  });

  it("momentum: the first step's buffer is g itself, later b = mu b + (1 - dampening) g", () => {
    const p = p64([1]);
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
    setGrad(p, [2]);
    opt.step(); // b = 2 (no dampening on the first step)
    close(p, [1 - 0.2]);
    setGrad(p, [1]);
    opt.step(); // b = 0.9 * 2 + 0.5 * 1 = 2.3
    close(p, [0.8 - 0.23]);
  });

  it('nesterov: g + mu b', () => {
    const p = p64([0]);
    const opt = new optim.SGD([p], { lr: 1, momentum: 0.5, nesterov: true });
    setGrad(p, [1]);
    opt.step(); // b = 1, step 1 + 0.5 = 1.5
    close(p, [-1.5]);
    setGrad(p, [2]);
    opt.step(); // b = 0.5 + 2 = 2.5, step 2 + 1.25
    close(p, [-1.5 - 3.25]);
  });

  it('skips parameters without a gradient; zeroGrad clears them; groups carry their own lr', () => {
    const a = p64([1]);
    const b = p64([1]);
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 1 }], { lr: 0.1 });
    setGrad(a, [1]);
    opt.step();
    close(a, [0.9]);
    close(b, [1]);
    setGrad(b, [1]);
    opt.step();
    close(a, [0.8]);
    close(b, [0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
  });

  it('trains nn.Linear through autograd (y = 2x + 1)', () => {
    const lin = new nn.Linear(1, 1, { dtype: 'float64', generator: 0 });
    const opt = new optim.SGD(lin.parameters(), { lr: 0.1, momentum: 0.9 });
    const x = tensor([[0], [1], [2], [3]], { dtype: 'float64' });
    const y = tensor([[1], [3], [5], [7]], { dtype: 'float64' });
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      F.mseLoss(lin.forward(x), y).backward();
      opt.step();
    }
    expect(lin.weight.data[0]).toBeCloseTo(2, 6);
    expect(lin.bias!.data[0]).toBeCloseTo(1, 6);
  });
});

describe('Adam and AdamW', () => {
  // One element by the formulas of torch.optim.Adam, written out independently.
  function adamRef(
    p: number,
    grads: number[],
    o: { lr: number; b1: number; b2: number; eps: number; wd: number; decoupled: boolean },
  ) {
    let m = 0;
    let v = 0;
    grads.forEach((g0, i) => {
      const t = i + 1;
      if (o.decoupled) p *= 1 - o.lr * o.wd;
      const g = o.decoupled ? g0 : g0 + o.wd * p;
      m = o.b1 * m + (1 - o.b1) * g;
      v = o.b2 * v + (1 - o.b2) * g * g;
      const mHat = m / (1 - o.b1 ** t);
      const vHat = v / (1 - o.b2 ** t);
      p -= (o.lr * mHat) / (Math.sqrt(vHat) + o.eps); // = (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps)
    });
    return p;
  }

  it('the first step moves each weight by lr sign(g) (bias correction)', () => {
    const p = p64([1, 1]);
    const opt = new optim.Adam([p], { lr: 0.01 });
    setGrad(p, [3, -0.002]);
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.99, 9);
    expect(p.data[1]).toBeCloseTo(1.01, 6);
  });

  it('matches the reference over several steps, with L2 weight decay', () => {
    const grads = [0.5, -1.5, 2, 0.1];
    const p = p64([0.7]);
    const opt = new optim.Adam([p], { lr: 0.05, betas: [0.8, 0.99], weightDecay: 0.1 });
    stepThrough(opt, p, grads);
    expect(p.data[0]).toBeCloseTo(
      adamRef(0.7, grads, { lr: 0.05, b1: 0.8, b2: 0.99, eps: 1e-8, wd: 0.1, decoupled: false }),
      12,
    );
  });

  it('AdamW decays the weight directly, default weightDecay 1e-2', () => {
    const grads = [0.5, -1.5, 2];
    const p = p64([0.7]);
    const opt = new optim.AdamW([p], { lr: 0.1 });
    expect(opt.paramGroups[0].weightDecay).toBe(0.01);
    stepThrough(opt, p, grads);
    expect(p.data[0]).toBeCloseTo(
      adamRef(0.7, grads, { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.01, decoupled: true }),
      12,
    );
  });

  it('amsgrad divides by the running max of v', () => {
    const p = p64([0]);
    const q = p64([0]);
    const ams = new optim.Adam([p], { lr: 0.1, amsgrad: true });
    const plain = new optim.Adam([q], { lr: 0.1 });
    for (const g of [10, 0.1]) {
      setGrad(p, [g]);
      setGrad(q, [g]);
      ams.step();
      plain.step();
    }
    // the second step: v fell, vmax did not, so AMSGrad's step is smaller
    expect(Math.abs(p.data[0])).toBeLessThan(Math.abs(q.data[0]));
    // by hand: m2 = 0.9*1 + 0.01 = 0.91, vmax = 0.1 (v1), step 2 = 0.1 (m2/0.19) / (sqrt(0.1/0.001999) + 1e-8)
    const step2 = (0.1 * (0.91 / 0.19)) / (Math.sqrt(0.1 / (1 - 0.999 ** 2)) + 1e-8);
    expect(p.data[0]).toBeCloseTo(-0.1 - step2, 9);
  });
});

describe('schedulers', () => {
  it('StepLR multiplies by gamma every stepSize epochs', () => {
    const opt = new optim.SGD([p64([0])], { lr: 1 });
    const s = new optim.StepLR(opt, 2, { gamma: 0.5 });
    const lrs = [s.getLastLr()[0]];
    for (let e = 0; e < 5; e++) {
      s.step();
      lrs.push(s.getLastLr()[0]);
    }
    expect(lrs).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
  });

  it('CosineAnnealingLR follows half a cosine from the base lr to etaMin', () => {
    const opt = new optim.SGD([{ params: [p64([0])] }, { params: [p64([0])], lr: 0.2 }], { lr: 1 });
    const s = new optim.CosineAnnealingLR(opt, 4, { etaMin: 0.1 });
    const got: number[][] = [];
    for (let e = 0; e < 4; e++) {
      s.step();
      got.push(s.getLastLr());
    }
    const want = (base: number, e: number) => 0.1 + ((base - 0.1) * (1 + Math.cos((Math.PI * e) / 4))) / 2;
    got.forEach(([a, b], i) => {
      expect(a).toBeCloseTo(want(1, i + 1), 14);
      expect(b).toBeCloseTo(want(0.2, i + 1), 14);
    });
    expect(got[3][0]).toBeCloseTo(0.1, 14);
  });
});

describe('bad options', () => {
  it('rejects lr <= 0, betas out of [0, 1), and other invalid settings', () => {
    const p = p64([0]);
    for (const lr of [0, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new optim.SGD([p], { lr })).toThrow(ArgumentError);
      expect(() => new optim.Adam([p], { lr })).toThrow(ArgumentError);
    }
    expect(() => new optim.SGD([p], { lr: 0 })).toThrow(/SGD: lr must be a finite number > 0, got 0/);
    expect(() => new optim.Adam([p], { betas: [1, 0.999] })).toThrow(
      /Adam: betas\[0\] must be in \[0, 1\), got 1/,
    );
    expect(() => new optim.AdamW([p], { betas: [0.9, -0.1] })).toThrow(/AdamW: betas\[1\]/);
    expect(() => new optim.SGD([p], { nesterov: true })).toThrow(/nesterov needs momentum > 0/);
    expect(() => new optim.SGD([p], { momentum: -1 })).toThrow(ArgumentError);
    expect(() => new optim.SGD([])).toThrow(/empty parameter list/);
    expect(() => new optim.SGD([p, p])).toThrow(/more than one group/);
    expect(() => new optim.SGD([tensor([1], { dtype: 'int32' })])).toThrow(DTypeError);
    expect(() => new optim.StepLR(new optim.SGD([p]), 0)).toThrow(ArgumentError);
    expect(() => new optim.CosineAnnealingLR(new optim.SGD([p]), 2.5)).toThrow(ArgumentError);
  });
});
