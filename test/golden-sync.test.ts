// The in-repo golden/ and data/ are copies of ../shared/golden and ../shared/data (the reference
// fixtures and the data sets they name). Where ../shared exists (the developers' checkout) the
// copies must be byte-identical, so they never drift; in a user's clone it is absent and the
// comparison is skipped. Either way every data file a fixture names must exist in the repo.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from './helpers.js';

const SHARED = path.resolve(ROOT, '../shared');
const hasShared = existsSync(path.join(SHARED, 'golden'));
const DATA_FILES = ['cal_housing.data', 'iris.csv', 'wine_data.csv', 'breast_cancer.csv', 'digits.csv.gz'];

/** Every data path the fixtures in `dir` name: params.dataFile and params.data.file. */
function namedDataFiles(dir: string): string[] {
  const files = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const fixture = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as {
      cases: { params: Record<string, unknown> }[];
    };
    for (const c of fixture.cases) {
      const p = c.params as { dataFile?: unknown; data?: { file?: unknown } };
      if (typeof p.dataFile === 'string') files.add(p.dataFile);
      if (typeof p.data?.file === 'string') files.add(p.data.file);
    }
  }
  return [...files].sort();
}

const same = (a: string, b: string) => readFileSync(a).equals(readFileSync(b));

test('every data file the in-repo fixtures name exists under the repo root', () => {
  const named = namedDataFiles(path.join(ROOT, 'golden'));
  expect(named).toEqual(DATA_FILES.map((f) => `data/${f}`).sort());
  for (const f of named) expect(existsSync(path.join(ROOT, f)), f).toBe(true);
});

describe.skipIf(!hasShared)(
  'golden/ and data/ equal ../shared (skipped: ../shared absent, a user clone)',
  () => {
    test('golden/ has exactly the files of ../shared/golden, byte for byte', () => {
      const shared = readdirSync(path.join(SHARED, 'golden')).sort();
      const mine = readdirSync(path.join(ROOT, 'golden')).sort();
      expect(mine).toEqual(shared);
      const differ = shared.filter(
        (f) => !same(path.join(SHARED, 'golden', f), path.join(ROOT, 'golden', f)),
      );
      expect(differ, 'differ from ../shared/golden: copy them again').toEqual([]);
    });

    test('the data files the fixtures name equal ../shared/data', () => {
      for (const f of namedDataFiles(path.join(SHARED, 'golden'))) {
        expect(existsSync(path.join(ROOT, f)), `${f} missing from the repo`).toBe(true);
        expect(same(path.join(SHARED, f), path.join(ROOT, f)), `${f} differs from ../shared/${f}`).toBe(true);
      }
    });
  },
);
