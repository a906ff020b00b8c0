// The optimizer base, as torch.optim.Optimizer: parameters in groups (each group may override
// the defaults, e.g. its own lr), per-parameter state, zeroGrad, and step. Updates are in
// place on param.data, reading param.grad, outside autograd (nothing is recorded). A
// parameter whose grad is null is skipped, as torch does.

import { ArgumentError, DTypeError } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** Options every optimizer has. */
export interface BaseOptions {
  /** Learning rate, > 0. */
  lr?: number;
}

/** A parameter group as given: its tensors plus any options that override the defaults. */
export type ParamGroupInput<O> = { params: readonly Tensor[] } & Partial<O>;

/** A parameter group after merging: every option set. Schedulers change `lr` here. */
export type ParamGroup<O> = { params: Tensor[] } & Required<O>;

function isGroupList<O>(
  p: readonly Tensor[] | readonly ParamGroupInput<O>[],
): p is readonly ParamGroupInput<O>[] {
  return p.length > 0 && 'params' in p[0] && !('shape' in p[0]);
}

export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  readonly paramGroups: ParamGroup<O>[];
  /** Per-parameter state (momentum buffers, moments, step counts). */
  protected readonly state = new Map<Tensor, Record<string, Float32Array | Float64Array | number>>();

  constructor(
    name: string,
    params: readonly Tensor[] | readonly ParamGroupInput<O>[],
    defaults: Required<O>,
  ) {
    if (params.length === 0) throw new ArgumentError(`${name}: got an empty parameter list`);
    const inputs: readonly ParamGroupInput<O>[] = isGroupList(params)
      ? params
      : [{ params } as ParamGroupInput<O>];
    const seen = new Set<Tensor>();
    this.paramGroups = inputs.map((g, gi) => {
      // Object.assign onto {} rather than a spread: it walks the same hidden-class transitions
      // every time, so the groups of every optimizer share one shape and step() stays optimised
      // (spreads of spreads got a fresh hidden class per optimizer: V8 deopted step() per fit).
      const group = Object.assign({}, defaults, g, { params: [...g.params] }) as ParamGroup<O>;
      this.validate(group);
      for (const p of group.params) {
        if (!isFloat(p.dtype))
          throw new DTypeError(`${name}: parameters must be float tensors, got ${p.dtype} in group ${gi}`);
        if (seen.has(p))
          throw new ArgumentError(`${name}: a parameter appears in more than one group (group ${gi})`);
        seen.add(p);
      }
      return group;
    });
  }

  /** Checks one merged group's options (called for each group at construction). */
  protected abstract validate(group: ParamGroup<O>): void;

  /** Updates one parameter p in place from its gradient g (same size). */
  protected abstract update(p: Tensor, g: Tensor, group: ParamGroup<O>): void;

  /** One optimisation step over every parameter that has a gradient. */
  step(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) if (p.grad !== null) this.update(p, p.grad, group);
    }
  }

  /** Clears every parameter's gradient (sets it to null, torch's set_to_none). */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }

  /** The state buffer `key` of p, allocated as zeros in p's dtype on first use. */
  protected buffer(p: Tensor, key: string): Float32Array | Float64Array {
    let s = this.state.get(p);
    if (s === undefined) this.state.set(p, (s = {}));
    let b = s[key];
    if (b === undefined)
      s[key] = b = p.dtype === 'float64' ? new Float64Array(p.size) : new Float32Array(p.size);
    return b as Float32Array | Float64Array;
  }

  /** Increments and returns p's step counter (1 on the first step). */
  protected nextStep(p: Tensor): number {
    let s = this.state.get(p);
    if (s === undefined) this.state.set(p, (s = {}));
    const t = ((s.step as number | undefined) ?? 0) + 1;
    s.step = t;
    return t;
  }

  /** Whether p already has the state entry `key` (e.g. torch's first-step momentum rule). */
  protected hasState(p: Tensor, key: string): boolean {
    return this.state.get(p)?.[key] !== undefined;
  }
}

/** Throws unless lr is a finite number > 0. */
export function checkLr(name: string, lr: number): void {
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) {
    throw new ArgumentError(`${name}: lr must be a finite number > 0, got ${lr}`);
  }
}
