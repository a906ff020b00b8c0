// toString follows torch's print: common width, 4 decimals / `1.` / scientific, wrapping at
// 80 columns, ` ...` past 1000 elements, the dtype suffix when not float32 or bool.

import { describe, expect, it } from 'vitest';
import { arange, ones, tensor, zeros } from '../src/index.js';

const lines = (...l: string[]) => l.join('\n');

describe('toString', () => {
  it.each([
    ['floats share one width', tensor([1.5, -2, 3]), 'tensor([ 1.5000, -2.0000,  3.0000])'],
    ['integer-valued floats print as `1.`', tensor([1, 2, 3]), 'tensor([1., 2., 3.])'],
    ['zeros', zeros([2]), 'tensor([0., 0.])'],
    ['small magnitudes switch to scientific', tensor([1e-5, 1]), 'tensor([1.0000e-05, 1.0000e+00])'],
    ['large magnitudes switch to scientific', tensor([1e9, 1]), 'tensor([1.0000e+09, 1.0000e+00])'],
    [
      'non-finite values',
      tensor([Number.NaN, 1.5, Number.NEGATIVE_INFINITY]),
      'tensor([   nan, 1.5000,   -inf])',
    ],
    ['bool', tensor([true, false]), 'tensor([ True, False])'],
    ['0-d float', tensor(2.5), 'tensor(2.5000)'],
    ['0-d integer-valued', tensor(3), 'tensor(3.)'],
    ['0-d int32', tensor(3, { dtype: 'int32' }), 'tensor(3, dtype=int32)'],
    ['float64 suffix', tensor([0.5], { dtype: 'float64' }), 'tensor([0.5000], dtype=float64)'],
    [
      'int32 matrix',
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: 'int32' },
      ),
      lines('tensor([[1, 2],', '        [3, 4]], dtype=int32)'),
    ],
    ['empty 1-D', zeros([0]), 'tensor([])'],
    ['empty 2-D shows its size', zeros([0, 3]), 'tensor([], size=(0, 3))'],
    ['grad_fn suffix', ones([2]).requiresGrad_().mul(2), 'tensor([2., 2.], grad_fn=<mul>)'],
    [
      'requires_grad suffix',
      ones([2], { dtype: 'float64' }).requiresGrad_(),
      'tensor([1., 1.], dtype=float64, requires_grad=True)',
    ],
    [
      'rank 3 separates blocks with a blank line',
      arange(8).reshape([2, 2, 2]).float(),
      lines('tensor([[[0., 1.],', '         [2., 3.]],', '', '        [[4., 5.],', '         [6., 7.]]])'),
    ],
    [
      'long rows wrap at 80 columns',
      arange(30).float(),
      lines(
        'tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,',
        '        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,',
        '        28., 29.])',
      ),
    ],
    [
      '1001 elements are abbreviated',
      arange(1001).float(),
      'tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])',
    ],
    ['1000 elements are not', arange(1000).float().toString().includes('...'), false],
    [
      'abbreviation in every dim',
      arange(2000).reshape([100, 20]),
      lines(
        'tensor([[   0,    1,    2,  ...,   17,   18,   19],',
        '        [  20,   21,   22,  ...,   37,   38,   39],',
        '        [  40,   41,   42,  ...,   57,   58,   59],',
        '        ...,',
        '        [1940, 1941, 1942,  ..., 1957, 1958, 1959],',
        '        [1960, 1961, 1962,  ..., 1977, 1978, 1979],',
        '        [1980, 1981, 1982,  ..., 1997, 1998, 1999]], dtype=int32)',
      ),
    ],
  ])('%s', (_name, t, expected) => {
    expect(typeof t === 'boolean' ? t : t.toString()).toBe(expected);
  });

  it('is what template strings and String() show', () => {
    const t = tensor([0.25]);
    expect(`${t}`).toBe('tensor([0.2500])');
    expect(String(t)).toBe('tensor([0.2500])');
  });
});
