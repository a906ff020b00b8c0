// nn.MultiheadAttention and nn.SelfAttention: PyTorch's parameter names, shapes and init, the
// general form (headDim / valueHeadDim / outDim) against a composition from primitive ops, masks
// (key padding, bool and float attnMask, causal), unbatched input, loading a PyTorch state dict
// given as plain arrays, gradchecks of inputs and parameters, and bad input; torch's other
// constructor options (batchFirst false, addBiasKv, addZeroAttn, dropout) against the same
// composition with the extra key positions spelled out.

import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  cat,
  DTypeError,
  F,
  gradcheck,
  matmul,
  nn,
  ShapeError,
  softmax,
  type Tensor,
  tensor,
  where,
  zeros,
} from '../src/index.js';
import { expectAllClose, F64, leaf64, loadFixture, randn64 } from './helpers.js';

const bool = (rows: number[][]) =>
  tensor(
    rows.map((r) => r.map((x) => x === 1)),
    { dtype: 'bool' },
  );

/** Multi-head attention spelled out with primitive ops: project, split heads, softmax, merge, project. */
function reference(
  m: nn.MultiheadAttentionBase,
  query: Tensor,
  key: Tensor,
  value: Tensor,
  bias: Tensor | null,
) {
  const p = Object.fromEntries(m.namedParameters());
  const [H, D, Dv] = [m.numHeads, m.headDim, m.valueHeadDim];
  const w = p.in_proj_weight;
  const [wq, wk, wv] = w
    ? [w.narrow(0, 0, H * D), w.narrow(0, H * D, H * D), w.narrow(0, 2 * H * D, H * Dv)]
    : [p.q_proj_weight, p.k_proj_weight, p.v_proj_weight];
  const b = p.in_proj_bias;
  const heads = (x: Tensor, wx: Tensor, start: number, d: number) =>
    F.linear(x, wx, b.narrow(0, start, H * d))
      .reshape([x.shape[0], x.shape[1], H, d])
      .permute([0, 2, 1, 3]);
  const q = heads(query, wq, 0, D);
  const k = heads(key, wk, H * D, D);
  const v = heads(value, wv, 2 * H * D, Dv);
  let s = matmul(q, k.mT).div(Math.sqrt(D));
  if (bias) s = s.add(bias);
  const weights = softmax(s, -1); // [B, H, Lq, Lk]
  const merged = matmul(weights, v)
    .permute([0, 2, 1, 3])
    .reshape([query.shape[0], query.shape[1], H * Dv]);
  return { output: F.linear(merged, p['out_proj.weight'], p['out_proj.bias']), weights };
}

describe('MultiheadAttention parameters', () => {
  it("uses PyTorch's names and shapes in each layout", () => {
    const shapes = (m: nn.Module) => Object.fromEntries(m.namedParameters().map(([k, t]) => [k, t.shape]));
    expect(shapes(new nn.MultiheadAttention(8, 2))).toEqual({
      in_proj_weight: [24, 8],
      in_proj_bias: [24],
      'out_proj.weight': [8, 8],
      'out_proj.bias': [8],
    });
    expect(shapes(new nn.MultiheadAttention(6, 3, { kdim: 4, vdim: 5 }))).toEqual({
      q_proj_weight: [6, 6],
      k_proj_weight: [6, 4],
      v_proj_weight: [6, 5],
      in_proj_bias: [18],
      'out_proj.weight': [6, 6],
      'out_proj.bias': [6],
    });
    expect(shapes(new nn.MultiheadAttention(8, 2, { headDim: 3, valueHeadDim: 5, outDim: 7 }))).toEqual({
      q_proj_weight: [6, 8],
      k_proj_weight: [6, 8],
      v_proj_weight: [10, 8],
      in_proj_bias: [22],
      'out_proj.weight': [7, 10],
      'out_proj.bias': [7],
    });
    expect(shapes(new nn.MultiheadAttention(4, 2, { bias: false }))).toEqual({
      in_proj_weight: [12, 4],
      'out_proj.weight': [4, 4],
    });
  });

  it('initialises as torch (xavier in-proj, zero biases), seeded', () => {
    const m = new nn.MultiheadAttention(8, 2, { generator: 3 });
    const sd = m.stateDict();
    const bound = Math.sqrt(6 / (8 + 24));
    expect(Array.from(sd.in_proj_weight.data).every((x) => Math.abs(x) <= bound)).toBe(true);
    expect(Math.max(...Array.from(sd.in_proj_weight.data, Math.abs))).toBeGreaterThan(0.9 * bound);
    expect(Array.from(sd.in_proj_bias.data).every((x) => x === 0)).toBe(true);
    expect(Array.from(sd['out_proj.bias'].data).every((x) => x === 0)).toBe(true);
    expect(Array.from(sd['out_proj.weight'].data).every((x) => Math.abs(x) <= 1 / Math.sqrt(8))).toBe(true);
    expect(
      Array.from(new nn.MultiheadAttention(8, 2, { generator: 3 }).stateDict().in_proj_weight.data),
    ).toEqual(Array.from(sd.in_proj_weight.data));
    expect(
      Array.from(new nn.MultiheadAttention(8, 2, { generator: 4 }).stateDict().in_proj_weight.data),
    ).not.toEqual(Array.from(sd.in_proj_weight.data));
  });
});

describe('MultiheadAttention forward', () => {
  const randomize = (m: nn.Module, seed: number) => {
    m.parameters().forEach((p, i) => {
      p.data.set(randn64([p.size], seed + i).data);
    });
  };

  it('matches the primitive composition in the general form (headDim != valueHeadDim, outDim)', () => {
    const m = new nn.MultiheadAttention(6, 2, {
      kdim: 5,
      vdim: 4,
      headDim: 3,
      valueHeadDim: 2,
      outDim: 7,
      dtype: 'float64',
    });
    randomize(m, 100);
    const [query, key, value] = [randn64([2, 3, 6], 1), randn64([2, 4, 5], 2), randn64([2, 4, 4], 3)];
    const ours = m.forward(query, key, value, { averageAttnWeights: false });
    const ref = reference(m, query, key, value, null);
    expect(ours.output.shape).toEqual([2, 3, 7]);
    expectAllClose(ours.output, ref.output);
    expectAllClose(ours.weights, ref.weights);
    expectAllClose(m.forward(query, key, value).weights, ref.weights.mean(1));
  });

  it('combines keyPaddingMask, a float attnMask and isCausal like torch (bool -> -inf, added)', () => {
    const m = new nn.MultiheadAttention(4, 2, { dtype: 'float64' });
    randomize(m, 200);
    const x = randn64([2, 3, 4], 4);
    const kpm = bool([
      [0, 0, 1],
      [0, 0, 0],
    ]);
    const am = randn64([3, 3], 5);
    const causal = bool([
      [0, 1, 1],
      [0, 0, 1],
      [0, 0, 0],
    ]);
    const inf = Number.NEGATIVE_INFINITY;
    const bias = where(kpm.reshape([2, 1, 1, 3]).logicalOr(causal), inf, 0)
      .double()
      .add(am);
    expectAllClose(
      m.forward(x, x, x, { keyPaddingMask: kpm, attnMask: am, isCausal: true }).output,
      reference(m, x, x, x, bias).output,
    );
    // per-head bool attnMask [B*H, Lq, Lk], OR-ed with key padding
    const perHead = tensor(
      Array.from({ length: 36 }, (_, i) => i % 5 === 1),
      { dtype: 'bool', shape: [4, 3, 3] },
    );
    const bias2 = where(kpm.reshape([2, 1, 1, 3]).logicalOr(perHead.reshape([2, 2, 3, 3])), inf, 0).double();
    expectAllClose(
      m.forward(x, x, x, { keyPaddingMask: kpm, attnMask: perHead }).output,
      reference(m, x, x, x, bias2).output,
    );
  });

  it('accepts unbatched [L, E] input and needWeights false', () => {
    const m = new nn.MultiheadAttention(4, 2, { dtype: 'float64', generator: 1 });
    const [q, k] = [randn64([3, 4], 6), randn64([5, 4], 7)];
    const batched = m.forward(q.unsqueeze(0), k.unsqueeze(0), k.unsqueeze(0), {
      keyPaddingMask: bool([[0, 1, 0, 0, 0]]),
    });
    const single = m.forward(q, k, k, {
      keyPaddingMask: tensor([false, true, false, false, false], { dtype: 'bool' }),
    });
    expectAllClose(single.output, batched.output.squeeze(0));
    expectAllClose(single.weights, batched.weights.squeeze(0));
    const lite = m.forward(q, k, k, { needWeights: false });
    expect(lite.weights).toBeNull();
    expectAllClose(lite.output, m.forward(q, k, k).output);
  });

  it('gives zeros, not NaN, when every key of a query is masked', () => {
    const m = new nn.MultiheadAttention(4, 2, { dtype: 'float64', generator: 2 });
    const x = randn64([1, 2, 4], 8);
    const { output, weights } = m.forward(x, x, x, { keyPaddingMask: bool([[1, 1]]) });
    expect([...output.data, ...weights.data].every(Number.isFinite)).toBe(true);
    expectAllClose(output, m.outProj.bias!.expand([1, 2, 4]));
  });
});

describe('SelfAttention', () => {
  it('is MultiheadAttention(x, x, x) with the same parameter names, causal by option or per call', () => {
    const sa = new nn.SelfAttention(6, 3, { causal: true, dtype: 'float64', generator: 5 });
    const mha = new nn.MultiheadAttention(6, 3, { dtype: 'float64' });
    expect(sa).toBeInstanceOf(nn.MultiheadAttentionBase);
    expect(sa.namedParameters().map(([k]) => k)).toEqual(mha.namedParameters().map(([k]) => k));
    mha.loadStateDict(sa.stateDict());
    const x = randn64([2, 4, 6], 9);
    expectAllClose(sa.forward(x).output, mha.forward(x, x, x, { isCausal: true }).output);
    expectAllClose(sa.forward(x, { isCausal: false }).output, mha.forward(x, x, x).output);
    expect(sa.forward(x).weights.data[1]).toBe(0); // query 0 never sees key 1
  });

  it('loads a PyTorch state dict given as plain arrays and reproduces PyTorch', () => {
    const file = loadFixture('self_attention');
    const c = file.cases.find((k) => k.name === 'causal')!;
    // what a user pastes from Python: {name: tensor.tolist()} or {name: {shape, data}}
    const sd = Object.fromEntries(
      Object.entries(c.inputs)
        .filter(([k]) => k !== 'x')
        .map(([k, t]) => [k, { shape: t.shape, data: t.data }]),
    );
    const sa = new nn.SelfAttention(8, 2, { causal: true, dtype: 'float64' });
    sa.loadStateDict(sd);
    const { output } = sa.forward(tensor(c.inputs.x.data, { ...F64, shape: c.inputs.x.shape }));
    expectAllClose(output, tensor(c.outputs.output.data, { ...F64, shape: c.outputs.output.shape }), {
      rtol: 1e-10,
      atol: 1e-10,
    });
  });
});

/** reference() with bias_k / bias_v and a zero position appended to the projected keys and values. */
function referenceExtended(
  m: nn.MultiheadAttention,
  query: Tensor,
  key: Tensor,
  value: Tensor,
  bias: Tensor,
) {
  const p = Object.fromEntries(m.namedParameters());
  const [H, D, Dv, E] = [m.numHeads, m.headDim, m.valueHeadDim, m.embedDim];
  const [B, Lq] = query.shape;
  const w = p.in_proj_weight;
  const b = p.in_proj_bias;
  const q = F.linear(query, w.narrow(0, 0, E), b.narrow(0, 0, E));
  let k = F.linear(key, w.narrow(0, E, E), b.narrow(0, E, E));
  let v = F.linear(value, w.narrow(0, 2 * E, E), b.narrow(0, 2 * E, E));
  if (p.bias_k) {
    k = cat([k, p.bias_k.expand([B, 1, E])], 1);
    v = cat([v, p.bias_v.expand([B, 1, E])], 1);
  }
  if (m.addZeroAttn) {
    k = cat([k, zeros([B, 1, E], { dtype: 'float64' })], 1);
    v = cat([v, zeros([B, 1, E], { dtype: 'float64' })], 1);
  }
  const split = (t: Tensor, d: number) => t.reshape([B, t.shape[1], H, d]).permute([0, 2, 1, 3]);
  const weights = softmax(matmul(split(q, D), split(k, D).mT).div(Math.sqrt(D)).add(bias), -1);
  const merged = matmul(weights, split(v, Dv))
    .permute([0, 2, 1, 3])
    .reshape([B, Lq, H * Dv]);
  return { output: F.linear(merged, p['out_proj.weight'], p['out_proj.bias']), weights };
}

describe("MultiheadAttention: torch's other constructor options", () => {
  const opts = { dtype: 'float64', generator: 21 } as const;
  const [query, key, value] = [randn64([2, 3, 4], 22), randn64([2, 5, 4], 23), randn64([2, 5, 4], 24)];
  const kpm = bool([
    [0, 0, 0, 1, 1],
    [0, 1, 0, 0, 0],
  ]);
  // -inf where the key padding mask hides a key; the two appended positions are always visible
  const padBias = where(kpm.reshape([2, 1, 1, 5]), Number.NEGATIVE_INFINITY, 0)
    .to('float64')
    .expand([2, 1, 3, 5]);
  const zeros2 = zeros([2, 1, 3, 2], { dtype: 'float64' });

  it('addBiasKv and addZeroAttn append two key positions the masks leave visible, as torch', () => {
    const m = new nn.MultiheadAttention(4, 2, { ...opts, addBiasKv: true, addZeroAttn: true });
    expect(Object.keys(m.stateDict())).toEqual([
      'in_proj_weight',
      'in_proj_bias',
      'bias_k',
      'bias_v',
      'out_proj.weight',
      'out_proj.bias',
    ]);
    expect(m.stateDict().bias_k.shape).toEqual([1, 1, 4]);
    const got = m.forward(query, key, value, { keyPaddingMask: kpm, averageAttnWeights: false });
    const want = referenceExtended(m, query, key, value, cat([padBias, zeros2], 3));
    expect(got.weights.shape).toEqual([2, 2, 3, 7]);
    expectAllClose(got.output, want.output);
    expectAllClose(got.weights, want.weights);
  });

  it('causal with an appended key: the extra positions stay visible to every query', () => {
    const m = new nn.MultiheadAttention(4, 2, { ...opts, addBiasKv: true });
    const x = randn64([2, 3, 4], 25);
    const causal = tensor(
      [0, 1, 2].map((i) => [0, 1, 2, 3].map((j) => (j > i && j < 3 ? Number.NEGATIVE_INFINITY : 0))),
      { dtype: 'float64' },
    );
    const got = m.forward(x, x, x, { isCausal: true, averageAttnWeights: false });
    const want = referenceExtended(m, x, x, x, causal);
    expectAllClose(got.output, want.output);
    expectAllClose(got.weights, want.weights);
  });

  it('batchFirst false takes and returns [L, B, E], the same numbers transposed', () => {
    const a = new nn.MultiheadAttention(4, 2, { ...opts, addZeroAttn: true });
    const b = new nn.MultiheadAttention(4, 2, {
      ...opts,
      addZeroAttn: true,
      batchFirst: false,
      generator: 99,
    });
    b.loadStateDict(a.stateDict());
    const ra = a.forward(query, key, value, { keyPaddingMask: kpm });
    const rb = b.forward(query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1), {
      keyPaddingMask: kpm,
    });
    expect(rb.output.shape).toEqual([3, 2, 4]);
    expectAllClose(rb.output, ra.output.transpose(0, 1));
    expectAllClose(rb.weights, ra.weights); // weights stay [B, Lq, Lk], as torch
  });

  it('dropout drops attention weights in training mode only, seeded, and the output uses the dropped ones', () => {
    const make = () => new nn.MultiheadAttention(4, 2, { ...opts, dropout: 0.4 });
    const m = make();
    const plain = new nn.MultiheadAttention(4, 2, opts);
    plain.loadStateDict(m.stateDict());
    const clean = plain.forward(query, key, value, { averageAttnWeights: false });
    const r = m.forward(query, key, value, { averageAttnWeights: false });
    expect(Array.from(r.output.data)).toEqual(Array.from(make().forward(query, key, value).output.data));
    let dropped = 0;
    r.weights.data.forEach((wd, i) => {
      if (wd === 0) dropped++;
      else expect(wd).toBeCloseTo(clean.weights.data[i] / 0.6, 12);
    });
    expect(dropped).toBeGreaterThan(0.2 * r.weights.size);
    expect(dropped).toBeLessThan(0.6 * r.weights.size);
    // the output is the dropped weights times the values, through the output projection
    const p = Object.fromEntries(m.namedParameters());
    const E = 4;
    const vh = F.linear(value, p.in_proj_weight.narrow(0, 2 * E, E), p.in_proj_bias.narrow(0, 2 * E, E))
      .reshape([2, 5, 2, 2])
      .permute([0, 2, 1, 3]);
    const merged = matmul(r.weights, vh).permute([0, 2, 1, 3]).reshape([2, 3, 4]);
    expectAllClose(r.output, F.linear(merged, p['out_proj.weight'], p['out_proj.bias']));
    m.eval();
    expectAllClose(m.forward(query, key, value).output, clean.output, { rtol: 0, atol: 0 });
    expect(() => new nn.MultiheadAttention(4, 2, { dropout: 1.5 })).toThrow(
      /^MultiheadAttention: dropout must be in \[0, 1\], got 1.5$/,
    );
  });

  it('gradcheck through bias_k, bias_v and the inputs, with a zero position and a key padding mask', () => {
    const m = new nn.MultiheadAttention(4, 2, { ...opts, addBiasKv: true, addZeroAttn: true });
    const fn = (q: Tensor, k: Tensor, v: Tensor) => {
      const r = m.forward(q, k, v, { keyPaddingMask: kpm });
      return [r.output, r.weights];
    };
    expect(
      gradcheck(fn, [leaf64([2, 3, 4], 26), leaf64([2, 5, 4], 27), leaf64([2, 5, 4], 28), ...m.parameters()]),
    ).toBe(true);
  });
});

describe('gradcheck (float64) of inputs and parameters', () => {
  it('MultiheadAttention, PyTorch layout with both masks', () => {
    const m = new nn.MultiheadAttention(4, 2, { dtype: 'float64', generator: 6 });
    const kpm = bool([
      [0, 0, 1],
      [0, 0, 0],
    ]);
    const am = bool([
      [0, 1, 0],
      [0, 0, 0],
    ]);
    const fn = (q: Tensor, k: Tensor, v: Tensor) => {
      const r = m.forward(q, k, v, { keyPaddingMask: kpm, attnMask: am });
      return [r.output, r.weights];
    };
    expect(
      gradcheck(fn, [leaf64([2, 2, 4], 10), leaf64([2, 3, 4], 11), leaf64([2, 3, 4], 12), ...m.parameters()]),
    ).toBe(true);
  });

  it('MultiheadAttention, general form with a float attnMask that requires grad', () => {
    const m = new nn.MultiheadAttention(4, 2, {
      kdim: 3,
      vdim: 2,
      headDim: 3,
      valueHeadDim: 1,
      outDim: 5,
      dtype: 'float64',
      generator: 7,
    });
    const fn = (q: Tensor, k: Tensor, v: Tensor, am: Tensor) =>
      m.forward(q, k, v, { attnMask: am, averageAttnWeights: false, needWeights: false }).output;
    expect(
      gradcheck(fn, [
        leaf64([2, 2, 4], 13),
        leaf64([2, 3, 3], 14),
        leaf64([2, 3, 2], 15),
        leaf64([2, 3], 16),
        ...m.parameters(),
      ]),
    ).toBe(true);
  });

  it('SelfAttention, causal', () => {
    const sa = new nn.SelfAttention(4, 2, { causal: true, dtype: 'float64', generator: 8 });
    const fn = (x: Tensor) => {
      const r = sa.forward(x);
      return [r.output, r.weights];
    };
    expect(gradcheck(fn, [leaf64([2, 3, 4], 17), ...sa.parameters()])).toBe(true);
  });
});

describe('MultiheadAttention bad input', () => {
  const m = new nn.MultiheadAttention(8, 2, { kdim: 6, dtype: 'float64' });
  const [q, k, v] = [randn64([2, 3, 8], 20), randn64([2, 5, 6], 21), randn64([2, 5, 8], 22)];
  it.each([
    [
      'embedDim not divisible by numHeads',
      () => new nn.MultiheadAttention(10, 3),
      ArgumentError,
      /embedDim 10 must be divisible by numHeads 3/,
    ],
    [
      'numHeads 0',
      () => new nn.MultiheadAttention(8, 0),
      ArgumentError,
      /numHeads must be a positive integer, got 0/,
    ],
    [
      'headDim not an integer',
      () => new nn.MultiheadAttention(8, 2, { headDim: 2.5 }),
      ArgumentError,
      /headDim must be a positive integer, got 2.5/,
    ],
    [
      'key dim != kdim',
      () => m.forward(q, randn64([2, 5, 8], 23), v),
      ShapeError,
      /key must be \[B, L, 6\] \(kdim = 6\), got \[2,5,8\]/,
    ],
    [
      'query dim != embedDim',
      () => m.forward(randn64([2, 3, 7], 24), k, v),
      ShapeError,
      /query must be \[B, L, 8\] \(embedDim = 8\), got \[2,3,7\]/,
    ],
    [
      'key and value lengths differ',
      () => m.forward(q, k, randn64([2, 4, 8], 25)),
      ShapeError,
      /key\/value the length/,
    ],
    [
      'keyPaddingMask wrong shape',
      () => m.forward(q, k, v, { keyPaddingMask: zeros([2, 4], { dtype: 'bool' }) }),
      ShapeError,
      /keyPaddingMask has shape \[2,4\], expected \[2,5\]/,
    ],
    [
      'attnMask wrong shape',
      () => m.forward(q, k, v, { attnMask: zeros([5, 3], { dtype: 'bool' }) }),
      ShapeError,
      /attnMask has shape \[5,3\], expected \[3,5\] or \[4,3,5\]/,
    ],
    [
      'int mask',
      () => m.forward(q, k, v, { attnMask: zeros([3, 5], { dtype: 'int32' }) }),
      DTypeError,
      /attnMask must be bool or float, got int32/,
    ],
    [
      'float32 input into a float64 module',
      () => m.forward(q.to('float32'), k, v),
      DTypeError,
      /query must be float64 like the parameters, got float32/,
    ],
    [
      'unbatched query with batched key',
      () => m.forward(randn64([3, 8], 26), k, v),
      ShapeError,
      /key must be \[L, 6\]/,
    ],
  ])('%s', (_name, fn, cls, msg) => {
    expect(fn).toThrow(cls);
    expect(fn).toThrow(msg);
  });
});
