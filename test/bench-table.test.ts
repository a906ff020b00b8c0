// The bench table's derived columns (no timing here: benchmarks measure, tests never time).

import { expect, test } from 'vitest';
import { makeRecord } from '../bench/measure.js';
import { formatTable } from '../bench/table.js';

test('GFLOP/s and GB/s come from the work of one call; ratios are peer median / shousi median', () => {
  const records = [
    makeRecord('matmul 512', 'shousi', 1, 20, { flops: 2 * 512 ** 3 }),
    makeRecord('matmul 512', 'tfjs-wasm', 1, 10, { flops: 2 * 512 ** 3 }),
    makeRecord('matmul 512', 'tfjs-cpu', 1, 300, { flops: 2 * 512 ** 3 }),
    makeRecord('add', 'shousi', 2, 4, { bytes: 12e6 }),
    makeRecord('add', 'tfjs-cpu', 1, 8, { bytes: 12e6 }),
  ];
  expect(records[0].gflops).toBeCloseTo(13.42, 2);
  expect(records[3].extra).toEqual({ 'GB/s': 3 });
  const lines = formatTable(records).split('\n');
  expect(lines[0]).toMatch(
    /^\| workload +\| impl +\| threads \| median ms \| GFLOP\/s \| GB\/s \| x tfjs-cpu \| x tfjs-wasm \|$/,
  );
  expect(lines[2]).toMatch(
    /\| matmul 512 +\| shousi +\| +1 \| +20\.0 \| +13\.4 \| +\| +15\.0x \| +0\.500x \|$/,
  );
  expect(lines[3]).toMatch(/\| tfjs-wasm .*\| +\| +\|$/); // peers get no ratio
  expect(lines[5]).toMatch(/\| add +\| shousi +\| +2 \| +4\.00 \| +\| +3\.00 \| +2\.00x \| +\|$/);
});
