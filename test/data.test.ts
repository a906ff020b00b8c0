// The data pipeline: California housing, the CSV loader, trainTestSplit, StandardScaler, batches.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { californiaHousingPath } from '../src/data/california.js';
import {
  ArgumentError,
  batches,
  CALIFORNIA_FEATURES,
  DataError,
  Generator,
  loadCaliforniaHousing,
  loadCsv,
  parseCsv,
  ShapeError,
  StandardScaler,
  tensor,
  trainTestSplit,
} from '../src/index.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'shousi-data-'));
function file(name: string, content: string | Buffer): string {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
}

describe('loadCaliforniaHousing', () => {
  it("gives scikit-learn's 8 features and the target in $100,000 (first row checked by hand)", () => {
    const { X, y, featureNames, targetName } = loadCaliforniaHousing({ dtype: 'float64' });
    expect(X.shape).toEqual([20640, 8]);
    expect(y.shape).toEqual([20640]);
    expect(featureNames).toEqual([...CALIFORNIA_FEATURES]);
    expect(targetName).toBe('MedHouseVal');
    // raw row 1: -122.23,37.88,41,880,129,322,126,8.3252,452600
    const row = Array.from(X.data.subarray(0, 8));
    expect(row).toEqual([8.3252, 41, 880 / 126, 129 / 126, 322, 322 / 126, 37.88, -122.23]);
    expect(y.data[0]).toBe(4.526);
  });

  it('finds the bundled file relative to the module, defaults to float32, selects features', () => {
    expect(californiaHousingPath()).toMatch(/data[/\\]cal_housing\.data$/);
    const ds = loadCaliforniaHousing({ features: ['Latitude', 'MedInc'] });
    expect(ds.X.dtype).toBe('float32');
    expect(ds.X.shape).toEqual([20640, 2]);
    expect(ds.X.data[1]).toBeCloseTo(8.3252, 5);
  });

  it('rejects an unknown feature name', () => {
    expect(() => loadCaliforniaHousing({ features: ['MedInc', 'Rooms'] })).toThrow(ArgumentError);
    expect(() => loadCaliforniaHousing({ features: ['Rooms'] })).toThrow(/unknown feature name 'Rooms'/);
  });

  it('reads a gzip copy given by path', () => {
    const p = file(
      'cal.data.gz',
      gzipSync(
        '-122.23,37.88,41,880,129,322,126,8.3252,452600\n-122.22,37.86,21,7099,1106,2401,1138,8.3014,358500',
      ),
    );
    const ds = loadCaliforniaHousing({ path: p, dtype: 'float64' });
    expect(ds.X.shape).toEqual([2, 8]);
    expect(ds.y.data[1]).toBe(3.585);
  });
});

describe('loadCsv', () => {
  it('reads a header, selects columns by name or index, tolerates a missing final newline', () => {
    const p = file('h.csv', 'a,b,"c"\n1,2,3\n4,5,6');
    const t = loadCsv(p, { header: true, dtype: 'float64' });
    expect(t.columns).toEqual(['a', 'b', 'c']);
    expect(t.data.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const sel = loadCsv(p, { header: true, columns: ['c', 0] });
    expect(sel.columns).toEqual(['c', 'a']);
    expect(sel.data.toArray()).toEqual([
      [3, 1],
      [6, 4],
    ]);
    expect(loadCsv(p, { header: true, columns: [-1] }).data.toArray()).toEqual([[3], [6]]);
  });

  it('handles other delimiters, CRLF, blank trailing lines, exponents and skipped lines', () => {
    const t = parseCsv('# made by hand\r\n1.5;-2e3\r\n.25;+7\r\n\r\n\n', {
      delimiter: ';',
      skipRows: 1,
      dtype: 'float64',
    });
    expect(t.data.toArray()).toEqual([
      [1.5, -2000],
      [0.25, 7],
    ]);
    expect(t.columns).toEqual(['0', '1']);
  });

  it("reads scikit-learn's CSVs (a counts line, then rows) and gzip files", () => {
    const iris = loadCsv(path.resolve('data/iris.csv'), { skipRows: 1 });
    expect(iris.data.shape).toEqual([150, 5]);
    const digits = loadCsv(path.resolve('data/digits.csv.gz'));
    expect(digits.data.shape).toEqual([1797, 65]);
  });

  it('names the file, line and column of a non-numeric cell', () => {
    const p = file('bad.csv', 'x,y\n1,2\n3,abc\n');
    expect(() => loadCsv(p, { header: true })).toThrow(DataError);
    expect(() => loadCsv(p, { header: true })).toThrow(
      /bad\.csv line 3, column 2 'y': "abc" is not a number/,
    );
    // empty cells and NaN are not numbers either: missing data is never a silent NaN
    expect(() => parseCsv('1,\n', { source: 'mem' })).toThrow(/mem line 1, column 2: "" is not a number/);
    expect(() => parseCsv('1,NaN\n')).toThrow(DataError);
  });

  it('rejects ragged rows, empty input, unknown columns and names without a header', () => {
    expect(() => parseCsv('1,2\n3\n')).toThrow(/line 2 has 1 fields, expected 2/);
    expect(() => parseCsv('\n\n')).toThrow(/no data rows/);
    expect(() => parseCsv('a,b\n1,2', { header: true, columns: ['z'] })).toThrow(
      /unknown column 'z' \(columns: a, b\)/,
    );
    expect(() => parseCsv('1,2', { columns: ['a'] })).toThrow(ArgumentError);
    expect(() => parseCsv('1,2', { columns: [2] })).toThrow(/out of range/);
    expect(() => loadCsv(path.join(tmp, 'missing.csv'))).toThrow(/cannot read/);
  });
});

describe('trainTestSplit', () => {
  const X = tensor(
    Array.from({ length: 10 }, (_, i) => [i, 10 * i]),
    { dtype: 'float64' },
  );
  const y = tensor(
    Array.from({ length: 10 }, (_, i) => i),
    { dtype: 'float64' },
  );

  it('splits ceil(testSize n) rows off, keeps X and y rows paired, covers every row once', () => {
    const s = trainTestSplit(X, y, { testSize: 0.25, seed: 3 });
    expect(s.XTrain.shape).toEqual([7, 2]);
    expect(s.XTest.shape).toEqual([3, 2]);
    const all = [...Array.from(s.yTrain.data), ...Array.from(s.yTest.data)].sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 0; i < 7; i++) expect(s.XTrain.data[2 * i]).toBe(s.yTrain.data[i]);
  });

  it('is reproducible by seed and unshuffled keeps the first rows for training', () => {
    const a = trainTestSplit(X, y, { seed: 1 });
    const b = trainTestSplit(X, y, { seed: 1 });
    const c = trainTestSplit(X, y, { seed: 2 });
    expect(Array.from(a.yTest.data)).toEqual(Array.from(b.yTest.data));
    expect(Array.from(a.yTest.data)).not.toEqual(Array.from(c.yTest.data));
    const u = trainTestSplit(X, y, { shuffle: false, testSize: 0.2 });
    expect(Array.from(u.yTest.data)).toEqual([8, 9]);
  });

  it('rejects testSize outside (0, 1) and mismatched rows', () => {
    for (const testSize of [0, 1, 1.5, -0.1, Number.NaN]) {
      expect(() => trainTestSplit(X, y, { testSize })).toThrow(ArgumentError);
    }
    expect(() => trainTestSplit(X, y, { testSize: 1 })).toThrow(
      /testSize must be a fraction in \(0, 1\), got 1/,
    );
    expect(() => trainTestSplit(X, y.narrow(0, 0, 9))).toThrow(ShapeError);
    expect(() => trainTestSplit(X, y.narrow(0, 0, 9))).toThrow(
      /different numbers of rows \(X \[10,2\] vs y \[9\]\)/,
    );
  });
});

describe('StandardScaler', () => {
  it('uses the population std and gives constant columns scale 1', () => {
    const X = tensor(
      [
        [1, 5, 2],
        [3, 5, 4],
        [5, 5, 9],
      ],
      { dtype: 'float64' },
    );
    const s = new StandardScaler().fit(X);
    expect(Array.from(s.mean!.data)).toEqual([3, 5, 5]);
    expect(s.scale!.data[0]).toBeCloseTo(Math.sqrt(8 / 3), 14);
    expect(s.scale!.data[1]).toBe(1);
    const Z = s.transform(X);
    expect(Z.data[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3), 14);
    expect([Z.data[1], Z.data[4], Z.data[7]]).toEqual([0, 0, 0]);
    const back = s.inverseTransform(Z);
    back.data.forEach((v, i) => {
      expect(v).toBeCloseTo(X.data[i], 12);
    });
  });

  it('transforms new data with the statistics of the fit data', () => {
    const s = new StandardScaler().fit(tensor([[0], [2]], { dtype: 'float64' }));
    expect(Array.from(s.transform(tensor([[4]], { dtype: 'float64' })).data)).toEqual([3]);
    expect(Array.from(new StandardScaler().fitTransform(tensor([[0], [2]])).data)).toEqual([-1, 1]);
  });

  it('rejects NaN, use before fit and a wrong feature count', () => {
    expect(() => new StandardScaler().fit(tensor([[1], [Number.NaN]]))).toThrow(DataError);
    expect(() => new StandardScaler().fit(tensor([[1], [Number.NaN]]))).toThrow(
      /X contains NaN at row 1, column 0/,
    );
    expect(() => new StandardScaler().transform(tensor([[1]]))).toThrow(/call fit first/);
    const s = new StandardScaler().fit(tensor([[1, 2]]));
    expect(() => s.transform(tensor([[1, 2, 3]]))).toThrow(ShapeError);
  });
});

describe('batches', () => {
  const X = tensor(
    Array.from({ length: 10 }, (_, i) => [i, -i]),
    { dtype: 'float64' },
  );
  const y = tensor(
    Array.from({ length: 10 }, (_, i) => i),
    { dtype: 'float64' },
  );

  it('honours batchSize and keeps the last partial batch (dropLast drops it)', () => {
    const sizes = [...batches(X, y, { batchSize: 3, shuffle: false })].map((b) => b.x.shape[0]);
    expect(sizes).toEqual([3, 3, 3, 1]);
    expect([...batches(X, y, { batchSize: 3, dropLast: true })].map((b) => b.y.size)).toEqual([3, 3, 3]);
    const first = [...batches(X, y, { batchSize: 4, shuffle: false })][0];
    expect(first.x.toArray()).toEqual([
      [0, -0],
      [1, -1],
      [2, -2],
      [3, -3],
    ]);
  });

  it('shuffles every row exactly once, pairs x with y, and reshuffles with one Generator', () => {
    const g = new Generator(5);
    const epoch = () => [...batches(X, y, { batchSize: 4, seed: g })];
    const e1 = epoch();
    const seen = e1.flatMap((b) => Array.from(b.y.data));
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const b of e1) for (let i = 0; i < b.y.size; i++) expect(b.x.data[2 * i]).toBe(b.y.data[i]);
    const e2 = epoch().flatMap((b) => Array.from(b.y.data));
    expect(e2).not.toEqual(seen);
    const fixed = () => [...batches(X, y, { batchSize: 4, seed: 9 })].flatMap((b) => Array.from(b.y.data));
    expect(fixed()).toEqual(fixed());
  });

  it('rejects batchSize <= 0, > n or fractional, and mismatched rows', () => {
    for (const batchSize of [0, -1, 11, 2.5]) {
      expect(() => [...batches(X, y, { batchSize })]).toThrow(ArgumentError);
    }
    expect(() => [...batches(X, y, { batchSize: 11 })]).toThrow(/batchSize must be an integer in \[1, 10\]/);
    expect(() => [...batches(X, y.narrow(0, 0, 5))]).toThrow(ShapeError);
  });
});
