// California housing (Pace & Barry 1997, the StatLib file), with scikit-learn's 8 derived
// features in scikit-learn's order and names, and the target in units of $100,000.
// The raw file ships in the package's data/ folder; it is found relative to this module, so
// the same code works from src/ (under tsx or vitest) and from dist/ after the build.
// Legend: n rows (block groups, 20,640 in the full file), d features.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '../errors.js';
import { withDefaults } from '../options.js';
import type { FloatDType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { fileName, parseNumericTable, readText } from './csv.js';

/** scikit-learn's fetch_california_housing feature names, in its order. */
export const CALIFORNIA_FEATURES = [
  'MedInc',
  'HouseAge',
  'AveRooms',
  'AveBedrms',
  'Population',
  'AveOccup',
  'Latitude',
  'Longitude',
] as const;

/** Options of loadCaliforniaHousing. */
export interface CaliforniaOptions {
  /** The raw StatLib file (plain or gzip); default: the copy in the package's data/ folder. */
  path?: string | URL | null;
  /** Features to keep, by name, in this order (default all 8). */
  features?: readonly string[] | null;
  /** Element type (default float32). */
  dtype?: FloatDType;
}

const DEFAULTS = { path: null, features: null, dtype: 'float32' } satisfies Required<CaliforniaOptions>;

/** A supervised data set: X [n, d], y [n]. */
export interface Dataset {
  X: Tensor;
  y: Tensor;
  featureNames: string[];
  targetName: string;
}

// Raw columns of cal_housing.data.
const LON = 0;
const LAT = 1;
const AGE = 2;
const ROOMS = 3;
const BEDROOMS = 4;
const POP = 5;
const HOUSEHOLDS = 6;
const INCOME = 7;
const VALUE = 8;

// Each scikit-learn feature from one raw row r.
const DERIVE: Record<(typeof CALIFORNIA_FEATURES)[number], (r: Float64Array, o: number) => number> = {
  MedInc: (r, o) => r[o + INCOME],
  HouseAge: (r, o) => r[o + AGE],
  AveRooms: (r, o) => r[o + ROOMS] / r[o + HOUSEHOLDS],
  AveBedrms: (r, o) => r[o + BEDROOMS] / r[o + HOUSEHOLDS],
  Population: (r, o) => r[o + POP],
  AveOccup: (r, o) => r[o + POP] / r[o + HOUSEHOLDS],
  Latitude: (r, o) => r[o + LAT],
  Longitude: (r, o) => r[o + LON],
};

/** The bundled file: data/cal_housing.data two folders up from src/data/ or dist/data/ (or its .gz). */
export function californiaHousingPath(): string {
  const plain = fileURLToPath(new URL('../../data/cal_housing.data', import.meta.url));
  return existsSync(plain) || !existsSync(`${plain}.gz`) ? plain : `${plain}.gz`;
}

// Parsing 2 MB of text takes tens of milliseconds; tests and demos load the file repeatedly.
const cache = new Map<string, Float64Array>();

/** California housing as scikit-learn's fetch_california_housing: X [n, 8], y [n] in $100,000. */
export function loadCaliforniaHousing(opts: CaliforniaOptions = {}): Dataset {
  const o = withDefaults(DEFAULTS, opts, 'loadCaliforniaHousing');
  const names = o.features ?? CALIFORNIA_FEATURES;
  if (names.length === 0) throw new ArgumentError('loadCaliforniaHousing: features must not be empty');
  for (const f of names) {
    if (!Object.hasOwn(DERIVE, f)) {
      throw new ArgumentError(
        `loadCaliforniaHousing: unknown feature name '${f}' (expected one of ${CALIFORNIA_FEATURES.join(', ')})`,
      );
    }
  }
  const path = o.path === null ? californiaHousingPath() : fileName(o.path);
  let raw = cache.get(path);
  if (raw === undefined) {
    const table = parseNumericTable(readText(path), path);
    if (table.nCols !== 9) {
      throw new ArgumentError(
        `loadCaliforniaHousing: ${path} has ${table.nCols} columns, expected 9 (the StatLib cal_housing.data)`,
      );
    }
    raw = table.values;
    cache.set(path, raw);
  }
  const n = raw.length / 9;
  const d = names.length;
  const derive = names.map((f) => DERIVE[f as keyof typeof DERIVE]);
  const X = o.dtype === 'float64' ? new Float64Array(n * d) : new Float32Array(n * d);
  const y = o.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = derive[j](raw, i * 9);
    y[i] = raw[i * 9 + VALUE] / 100000;
  }
  return {
    X: new Tensor(X, [n, d]),
    y: new Tensor(y, [n]),
    featureNames: [...names],
    targetName: 'MedHouseVal',
  };
}
