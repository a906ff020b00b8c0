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

/** A data file could not be parsed; names the file, line and column. */
export class DataError extends ShousiError {}

/** `[2,3]` — how shapes appear in every message. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
