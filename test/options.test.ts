// Options: an explicit `undefined` means "use the default", exactly as leaving the key out.

import { describe, expect, it } from 'vitest';
import { nn } from '../src/index.js';
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
