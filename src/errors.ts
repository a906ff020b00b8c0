// Typed errors. Every message reads `<op>: <what is wrong> (<got> vs <expected>)`
// so a user can tell from one line which call failed and why.

/** Base class of every error shousi throws on purpose. */
export class ShousiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together (matmul inner dims, broadcasting, reshape sizes). */
export class ShapeError extends ShousiError {}

/** A dtype the op does not accept (e.g. exp of a bool tensor, an int index that is float). */
export class DTypeError extends ShousiError {}

/** An option or argument value out of range or of the wrong kind. */
export class ArgumentError extends ShousiError {}

/** Training produced a non-finite or exploding loss. */
export class DivergenceError extends ShousiError {}

/** The autograd graph was used wrongly (backward twice without retainGraph, grad of a non-scalar, ...). */
export class AutogradError extends ShousiError {}

/** A tensor was read after dispose() or the end of the tidy() scope that created it. */
export class DisposedError extends ShousiError {}

/** A data file could not be parsed; names the file, line and column. */
export class DataError extends ShousiError {}

/** `[2,3]` — how shapes appear in every message. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

// Option checks shared by every entry point, so that one rule reads one way everywhere.

/** `v` if it is an integer in [min, max]; else `<op>: <name> must be an integer >= min, got v` (or `in [min, max]`). */
export function intOption(
  op: string,
  name: string,
  v: number,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ArgumentError(`${op}: ${name} must be an integer ${range}, got ${v}`);
  }
  return v;
}

/** `v` if it is an integer >= 1 (a size or count); else `<op>: <name> must be a positive integer, got v`. */
export function positiveInt(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new ArgumentError(`${op}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/** `v` if it is a finite number >= 0; else `<op>: <name> must be a finite number >= 0, got v`. */
export function nonNegative(op: string, name: string, v: number): number {
  if (!(v >= 0) || !Number.isFinite(v))
    throw new ArgumentError(`${op}: ${name} must be a finite number >= 0, got ${v}`);
  return v;
}
