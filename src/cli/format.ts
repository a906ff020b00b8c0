// Numbers and tables for the terminal: a few significant digits, scientific only for very large
// or very small magnitudes, aligned columns.

/** `x` with `digits` significant digits: 0.5234, 12.35, 1235, 1.235e-5, 2.1e+8. */
export function fmtNum(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(Math.max(digits - 1, 0)).replace(/\.?0+e/, 'e');
  if (Number.isInteger(x) && a >= 10 ** (digits - 1)) return String(x);
  // toPrecision then drop trailing zeros (0.5000 -> 0.5) but keep the integer part.
  const s = x.toPrecision(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** A shape as the demos print it, [2, 6, 8] (error messages use the compact [2,6,8]). */
export function fmtDims(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A duration: 850 ms, 3.21 s, 1 min 5 s. */
export function fmtSeconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(2)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** A list of numbers: [0.1235, -2.5, 3]. */
export function fmtList(xs: ArrayLike<number>, digits = 4): string {
  return `[${Array.from(xs, (x) => fmtNum(x, digits)).join(', ')}]`;
}

/** Rows of cells in aligned columns (first column left-aligned, the rest right-aligned). */
export function fmtTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, j) => Math.max(...all.map((r) => (r[j] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Indents every line of `text` by `n` spaces. */
export function indent(text: string, n = 2): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
