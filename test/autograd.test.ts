// Autograd semantics: accumulation, retainGraph, noGrad, detach, zeroGrad, shared inputs
// (diamonds), deep chains, dtypes of gradients, and releasing the graph.

import { describe, expect, it } from 'vitest';
import { AutogradError, isGradEnabled, noGrad, setGradEnabled, type Tensor, tensor } from '../src/index.js';

const leaf = (v: number[], dtype: 'float32' | 'float64' = 'float64') =>
  tensor(v, { dtype, requiresGrad: true });

describe('autograd', () => {
  it('gradients accumulate across backward calls until zeroGrad', () => {
    const x = leaf([1, 2]);
    x.mul(x).sum().backward(); // 2x
    expect(x.grad?.toArray()).toEqual([2, 4]);
    x.mul(3).sum().backward();
    expect(x.grad?.toArray()).toEqual([5, 7]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    x.mul(3).sum().backward();
    expect(x.grad?.toArray()).toEqual([3, 3]);
  });

  it('retainGraph allows a second backward through the same graph', () => {
    const x = leaf([3]);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad?.item()).toBeCloseTo(2 * Math.exp(3), 12);
    expect(() => y.backward()).toThrow(AutogradError);
  });

  it('the graph is released after backward (closures dropped)', () => {
    const x = leaf([1]);
    const y = x.mul(2);
    const z = y.sum();
    z.backward();
    expect(z.gradFn?.backward).toBeNull();
    expect(y.gradFn?.backward).toBeNull();
  });

  it('noGrad records nothing and restores the mode, even on throw', () => {
    const x = leaf([1, 2]);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
    expect(setGradEnabled(false, () => isGradEnabled())).toBe(false);
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it('detach shares storage and cuts the graph', () => {
    const x = leaf([1, 2]);
    const d = x.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    const y = x.mul(d).sum(); // d is a constant: dy/dx = d
    y.backward();
    expect(x.grad?.toArray()).toEqual([2, 4]);
    expect(x.detach().data).toBe(x.data);
  });

  it('a tensor used twice (diamond) gets the sum of both paths', () => {
    const x = leaf([2]);
    const a = x.mul(3); // da/dx = 3
    const b = x.square(); // db/dx = 2x = 4
    const y = a.mul(b); // y = 3x^3, dy/dx = 9x^2 = 36
    y.sum().backward();
    expect(x.grad?.item()).toBe(36);
    const z = leaf([5]);
    z.add(z).add(z).sum().backward();
    expect(z.grad?.item()).toBe(3);
  });

  it('a deep chain of 10,000 ops does not overflow the stack', () => {
    const x = leaf([1]);
    let y = x;
    for (let i = 0; i < 10000; i++) y = y.mul(1.0001);
    y.sum().backward();
    expect(x.grad?.item()).toBeCloseTo(1.0001 ** 10000, 8);
  });

  it('gradients take the dtype of their input (mixed float32 / float64)', () => {
    const a = leaf([1, 2], 'float32');
    const b = leaf([3, 4], 'float64');
    const y = a.mul(b);
    expect(y.dtype).toBe('float64');
    y.sum().backward();
    expect(a.grad?.dtype).toBe('float32');
    expect(b.grad?.dtype).toBe('float64');
    expect(a.grad?.toArray()).toEqual([3, 4]);
    const c = leaf([0.5], 'float64');
    c.to('float32').mul(2).sum().backward();
    expect(c.grad?.dtype).toBe('float64');
    expect(c.grad?.item()).toBe(2);
  });

  it('backward with an explicit upstream gradient', () => {
    const x = leaf([1, 2, 3]);
    x.mul(2).backward(tensor([1, 0, -1]));
    expect(x.grad?.toArray()).toEqual([2, 0, -2]);
  });

  it('only leaves keep .grad, unless retainGrad', () => {
    const x = leaf([1, 2]);
    const h = x.mul(2);
    const k = x.mul(3).retainGrad();
    h.add(k).sum().backward();
    expect(h.grad).toBeNull();
    expect(k.grad?.toArray()).toEqual([1, 1]);
    expect(h.isLeaf).toBe(false);
    expect(() => h.requiresGrad_(false)).toThrow(/cannot turn off requiresGrad on a non-leaf/);
  });

  it('inputs that do not require grad get none, and build no graph', () => {
    const x = leaf([1, 2]);
    const c = tensor([5, 6], { dtype: 'float64' });
    x.mul(c).sum().backward();
    expect(c.grad).toBeNull();
    const y = c.mul(2);
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
  });

  it('backward of a leaf itself', () => {
    const x = tensor(3, { dtype: 'float64', requiresGrad: true });
    x.backward();
    expect(x.grad?.item()).toBe(1);
  });

  it('max(dim) routes the gradient to the first maximal index; amax splits it on ties', () => {
    const x = leaf([1, 3, 3]);
    x.max(0).values.backward();
    expect(x.grad?.toArray()).toEqual([0, 1, 0]);
    const y = leaf([1, 3, 3]);
    y.amax().backward();
    expect(y.grad?.toArray()).toEqual([0, 0.5, 0.5]);
  });

  it('conventions at kinks: relu and abs have derivative 0 at 0; clamp includes its bounds', () => {
    const x = leaf([0, 0, 1]);
    x.relu().add(x.abs()).sum().backward();
    expect(x.grad?.toArray()).toEqual([0, 0, 2]);
    const y = leaf([-1, 0, 1, 2]);
    y.clamp({ min: 0, max: 1 }).sum().backward();
    expect(y.grad?.toArray()).toEqual([0, 1, 1, 0]);
  });

  it('activations at +-inf give their finite limits and gradients, never NaN', () => {
    const inf = Number.POSITIVE_INFINITY;
    for (const f of [
      (t: Tensor) => t.gelu(),
      (t: Tensor) => t.gelu({ approximate: 'tanh' }),
      (t: Tensor) => t.sigmoid(),
      (t: Tensor) => t.tanh(),
      (t: Tensor) => t.relu(),
      (t: Tensor) => t.exp(),
    ]) {
      const x = leaf([-inf, -50, 0, 50]);
      const y = f(x);
      y.sum().backward();
      expect(y.isnan().sum().item()).toBe(0);
      expect(x.grad?.isnan().sum().item()).toBe(0);
    }
    expect(leaf([-inf, inf]).gelu().toArray()).toEqual([0, inf]);
  });

  it('pow at 0: finite gradients where the math allows', () => {
    const x = leaf([0, 2]);
    const p = leaf([2, 2]);
    x.pow(p).sum().backward();
    expect(x.grad?.toArray()).toEqual([0, 4]);
    expect(p.grad?.toArray()).toEqual([0, 4 * Math.log(2)]);
    const z = leaf([0]);
    z.pow(0).sum().backward();
    expect(z.grad?.toArray()).toEqual([0]);
  });
});
