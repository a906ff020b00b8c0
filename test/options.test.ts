// Options: an explicit `undefined` means "use the default", exactly as leaving the key out; an
// option nobody takes is an error that names the options there are (and the likely one meant).

import { describe, expect, it } from 'vitest';
import { ArgumentError, data, F, kmeans, LinearRegression, nn, optim, randn, tensor } from '../src/index.js';
import { withDefaults } from '../src/options.js';

describe('withDefaults', () => {
  it('keeps a default when the option is undefined, and takes every defined value (null included)', () => {
    const d = { bias: true, eps: 1e-5, momentum: 0.1 as number | null };
    expect(withDefaults(d, { bias: undefined, momentum: null })).toEqual({
      bias: true,
      eps: 1e-5,
      momentum: null,
    });
    expect(withDefaults(d, { eps: 1e-3, extra: 'x' })).toEqual({
      bias: true,
      eps: 1e-3,
      momentum: 0.1,
      extra: 'x',
    });
    expect(withDefaults(d, undefined)).toEqual(d);
  });

  it('a module given {bias: undefined} still has its bias, as with no option at all', () => {
    expect(new nn.Conv2d(1, 1, 3, { bias: undefined }).bias).not.toBeNull();
    expect(new nn.Linear(2, 3, { bias: undefined }).bias?.shape).toEqual([3]);
    expect(new nn.LayerNorm(4, { elementwiseAffine: undefined }).parameters()).toHaveLength(2);
  });
});

describe('unknown options', () => {
  it('withDefaults with an op name rejects a key outside the defaults and the extras', () => {
    const d = { stride: 1, padding: 0 };
    expect(withDefaults(d, { padding: 2, dtype: 'float64' }, 'op', ['dtype'])).toEqual({
      stride: 1,
      padding: 2,
      dtype: 'float64',
    });
    expect(() => withDefaults(d, { strides: 2 }, 'op')).toThrow(
      "op: unknown option 'strides' (did you mean 'stride'? options: stride, padding)",
    );
    expect(() => withDefaults(d, { toString: 1 }, 'op')).toThrow(/unknown option 'toString'/); // own keys only
    expect(() => withDefaults(d, { zzz: undefined }, 'op')).toThrow(
      /unknown option 'zzz' \(options: stride, padding\)/,
    );
  });

  it('every public entry point that takes options names a misspelt one (as from JavaScript)', () => {
    const x = randn([1, 2, 5, 5], { generator: 1 });
    const any = <T>(o: T) => o as never; // the misspellings TypeScript would refuse
    const cases: [() => unknown, RegExp][] = [
      [
        () => new nn.Conv2d(2, 2, 3, any({ strides: 2 })),
        /^Conv2d: unknown option 'strides' \(did you mean 'stride'\?/,
      ],
      [
        () => F.conv2d(x, randn([2, 2, 3, 3]), any({ pading: 1 })),
        /^conv2d: unknown option 'pading' \(did you mean 'padding'\?/,
      ],
      [
        () => new nn.Linear(2, 3, any({ bais: false })),
        /^Linear: unknown option 'bais' \(did you mean 'bias'\?.*generator/,
      ],
      [() => new nn.BatchNorm2d(2, any({ momentun: 0.2 })), /^BatchNorm2d: unknown option 'momentun'/],
      [
        () => new nn.MultiheadAttention(4, 2, any({ add_bias_kv: true })),
        /^MultiheadAttention: unknown option 'add_bias_kv' \(did you mean 'addBiasKv'\?/,
      ],
      [
        () => new optim.SGD([tensor([1]).requiresGrad_()], any({ learningRate: 0.1 })),
        /^SGD: unknown option 'learningRate'/,
      ],
      [
        () => new optim.AdamW([tensor([1]).requiresGrad_()], any({ weight_decay: 0.1 })),
        /^AdamW: unknown option 'weight_decay' \(did you mean 'weightDecay'\?/,
      ],
      [
        () => kmeans(randn([10, 2], { generator: 2 }), 2, any({ maxIters: 5 })),
        /^kmeans: unknown option 'maxIters' \(did you mean 'maxIter'\?/,
      ],
      [
        () => new LinearRegression(any({ epoch: 5 })),
        /^LinearRegression: unknown option 'epoch' \(did you mean 'epochs'\?/,
      ],
      [
        () => [...data.batches(randn([4, 2]), randn([4]), any({ batch_size: 2 }))],
        /^batches: unknown option 'batch_size' \(did you mean 'batchSize'\?/,
      ],
      [() => F.pad(x, [1, 1], any({ mod: 'reflect' })), /^pad: unknown option 'mod' \(did you mean 'mode'\?/],
    ];
    for (const [f, msg] of cases) {
      expect(f).toThrow(ArgumentError);
      expect(f).toThrow(msg);
    }
  });
});
