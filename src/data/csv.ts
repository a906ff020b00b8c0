// Delimited text files of numbers (CSV, TSV, the StatLib .data files), plain or gzip.
// Every value must parse as a finite number: a bad cell stops the load with a DataError that
// names the file, the 1-based line and column and the offending text, never a silent NaN.
// Legend: n rows (samples), c columns kept.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { ArgumentError, DataError } from '../errors.js';
import { withDefaults } from '../options.js';
import type { FloatDType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** Options of loadCsv and parseCsv. */
export interface CsvOptions {
  /** Field separator (default ','). */
  delimiter?: string;
  /** The first line after `skipRows` holds column names (default false: columns are named by index). */
  header?: boolean;
  /** Lines to skip at the top, e.g. 1 for scikit-learn's `n_samples,n_features,...` line (default 0). */
  skipRows?: number;
  /** Columns to keep, in this order, by 0-based index or header name (default null: all). */
  columns?: readonly (number | string)[] | null;
  /** Element type of the result (default float32, torch's default). */
  dtype?: FloatDType;
}

const DEFAULTS = {
  delimiter: ',',
  header: false,
  skipRows: 0,
  columns: null,
  dtype: 'float32',
} satisfies Required<CsvOptions>;

/** A parsed table: values [n, c] and the kept columns' names. */
export interface CsvTable {
  data: Tensor;
  columns: string[];
}

/** The table before it becomes a tensor (float64, row-major). */
export interface RawTable {
  values: Float64Array;
  nRows: number;
  nCols: number;
  columns: string[];
}

// A decimal or scientific literal. Number() alone would take '' as 0 and '0x1f' as 31.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Reads a delimited file of numbers (gzip detected by its magic bytes). -> data [n, c]. */
export function loadCsv(path: string | URL, opts: CsvOptions = {}): CsvTable {
  const raw = parseNumericTable(readText(path), fileName(path), opts);
  return toTable(raw, opts.dtype ?? DEFAULTS.dtype);
}

/** Parses delimited text already in memory; `source` names it in errors. -> data [n, c]. */
export function parseCsv(text: string, opts: CsvOptions & { source?: string } = {}): CsvTable {
  const { source, ...csv } = opts;
  const raw = parseNumericTable(text, source ?? '<string>', csv);
  return toTable(raw, opts.dtype ?? DEFAULTS.dtype);
}

/** The file's text; gzip (magic bytes 1f 8b) is inflated first. */
export function readText(path: string | URL): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new DataError(`loadCsv: cannot read ${fileName(path)} (${(e as Error).message})`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  return buf.toString('utf8');
}

/** A path given as a string or a file: URL, as a string (what errors and caches name). */
export function fileName(path: string | URL): string {
  return path instanceof URL ? fileURLToPath(path) : path;
}

function toTable(raw: RawTable, dtype: FloatDType): CsvTable {
  const data = dtype === 'float64' ? raw.values : Float32Array.from(raw.values);
  return { data: new Tensor(data, [raw.nRows, raw.nCols]), columns: raw.columns };
}

/** The core parser shared by every loader: text -> float64 rows of the selected columns. */
export function parseNumericTable(text: string, source: string, opts: CsvOptions = {}): RawTable {
  const o = withDefaults(DEFAULTS, opts, 'loadCsv');
  if (typeof o.delimiter !== 'string' || o.delimiter.length === 0 || o.delimiter === '"') {
    throw new ArgumentError(
      `loadCsv: delimiter must be a non-empty string other than '"', got ${JSON.stringify(o.delimiter)}`,
    );
  }
  if (!Number.isInteger(o.skipRows) || o.skipRows < 0) {
    throw new ArgumentError(`loadCsv: skipRows must be a non-negative integer, got ${o.skipRows}`);
  }
  const lines = text.split(/\r?\n/);
  let i = o.skipRows;
  let names: string[] | null = null;
  if (o.header) {
    while (i < lines.length && lines[i].trim() === '') i++;
    if (i >= lines.length) throw new DataError(`loadCsv: ${source} has no header line`);
    names = splitFields(lines[i], o.delimiter).map((s) => s.trim());
    i++;
  }
  // Rows: every non-blank line (a missing final newline, or trailing blank lines, are fine).
  const rows: { line: number; fields: string[] }[] = [];
  for (; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    rows.push({ line: i + 1, fields: splitFields(lines[i], o.delimiter) });
  }
  if (rows.length === 0) throw new DataError(`loadCsv: ${source} has no data rows`);
  const width = rows[0].fields.length;
  if (names && names.length !== width) {
    throw new DataError(
      `loadCsv: ${source} header has ${names.length} names but line ${rows[0].line} has ${width} fields (use skipRows for a non-name first line)`,
    );
  }
  const allNames = names ?? Array.from({ length: width }, (_, k) => String(k));
  const keep = selectColumns(o.columns, allNames, names !== null);
  const values = new Float64Array(rows.length * keep.length);
  rows.forEach(({ line, fields }, r) => {
    if (fields.length !== width) {
      throw new DataError(
        `loadCsv: ${source} line ${line} has ${fields.length} fields, expected ${width} (as line ${rows[0].line})`,
      );
    }
    for (let k = 0; k < keep.length; k++) {
      const cell = fields[keep[k]].trim();
      if (!NUMBER.test(cell)) {
        const col = names ? ` '${names[keep[k]]}'` : '';
        throw new DataError(
          `loadCsv: ${source} line ${line}, column ${keep[k] + 1}${col}: ${JSON.stringify(cell)} is not a number`,
        );
      }
      values[r * keep.length + k] = Number(cell);
    }
  });
  return { values, nRows: rows.length, nCols: keep.length, columns: keep.map((k) => allNames[k]) };
}

// Column indices for `columns` (names need a header; indices are 0-based, negatives from the end).
function selectColumns(
  columns: readonly (number | string)[] | null,
  names: string[],
  named: boolean,
): number[] {
  if (columns === null) return names.map((_, k) => k);
  if (columns.length === 0)
    throw new ArgumentError('loadCsv: columns must not be empty (omit it to keep all)');
  return columns.map((c) => {
    if (typeof c === 'number') {
      if (!Number.isInteger(c) || c < -names.length || c >= names.length) {
        throw new ArgumentError(`loadCsv: column index ${c} out of range for ${names.length} columns`);
      }
      return c < 0 ? c + names.length : c;
    }
    if (!named)
      throw new ArgumentError(
        `loadCsv: column '${c}' selected by name, but the file is read without header: true`,
      );
    const k = names.indexOf(c);
    if (k < 0) throw new ArgumentError(`loadCsv: unknown column '${c}' (columns: ${names.join(', ')})`);
    return k;
  });
}

// Splits one line; double-quoted fields may contain the delimiter, "" is an escaped quote.
function splitFields(line: string, delim: string): string[] {
  if (!line.includes('"')) return line.split(delim);
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let p = 0; p < line.length; p++) {
    const ch = line[p];
    if (quoted) {
      if (ch === '"' && line[p + 1] === '"') {
        cur += '"';
        p++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (line.startsWith(delim, p)) {
      out.push(cur);
      cur = '';
      p += delim.length - 1;
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
