// nn.Module: a tree of modules holding parameters (leaf tensors that require grad) and
// buffers (state such as BatchNorm's running statistics), named with PyTorch's dotted keys
// so that a PyTorch state dict loads as it is.

import { ArgumentError, fmtShape, ShapeError } from '../errors.js';
import type { RandomSource } from '../random.js';
import { tensor } from '../tensor/create.js';
import { allocate, type DType, isFloat } from '../tensor/dtype.js';
import { keep } from '../tensor/memory.js';
import { sameShape } from '../tensor/shape.js';
import { type NestedArray, Tensor } from '../tensor/tensor.js';

/** A state-dict value: a tensor, nested arrays, or `{shape, data}` as exported from PyTorch by hand. */
export type StateValue = Tensor | NestedArray | { shape: readonly number[]; data: ArrayLike<number> };
/** Parameters and buffers by PyTorch's dotted names. */
export type StateDict = Record<string, StateValue>;

/** Options of loadStateDict. */
export interface LoadOptions {
  /** Require exactly the module's keys (default true). */
  strict?: boolean;
}

/** What a non-strict loadStateDict skipped. */
export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** Options every module constructor takes. */
export interface ModuleOptions {
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
  /** Seed or generator of the initialisation. */
  generator?: RandomSource;
}

/** The keys of ModuleOptions, for modules whose defaults leave them out (withDefaults' extra). */
export const MODULE_OPTIONS: readonly (keyof ModuleOptions)[] = ['dtype', 'generator'];

/** The base of every layer (torch.nn.Module): named parameters, buffers and children. */
export abstract class Module {
  /** Training mode (dropout active, batch statistics in BatchNorm); see train()/eval(). */
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffers = new Map<string, Tensor | null>();
  private readonly modules = new Map<string, Module>();

  /** Registers a parameter under `name` (made a grad-requiring leaf); null registers an absent one. */
  protected registerParameter(name: string, t: Tensor | null): Tensor | null {
    if (t) t.requiresGrad_(true);
    this.params.set(name, t);
    return t;
  }

  /** Registers a buffer (state saved in the state dict but not trained). */
  protected registerBuffer(name: string, t: Tensor | null): Tensor | null {
    if (t) keep(t); // module state outlives any tidy() scope
    this.buffers.set(name, t);
    return t;
  }

  /** Registers a child module under `name`. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.modules.set(name, m);
    return m;
  }

  /** The parameter registered as `name` (throws if absent). */
  protected param(name: string): Tensor {
    const t = this.params.get(name);
    if (!t) throw new ArgumentError(`${this.constructor.name}: no parameter ${name}`);
    return t;
  }

  /** The parameter registered as `name`, or null when registered absent (e.g. bias=false). */
  protected optionalParam(name: string): Tensor | null {
    return this.params.get(name) ?? null;
  }

  /** The buffer registered as `name`, or null. */
  protected buffer(name: string): Tensor | null {
    return this.buffers.get(name) ?? null;
  }

  /** Replaces a buffer's tensor (buffers such as running stats are rebound, not mutated). */
  protected setBuffer(name: string, t: Tensor): void {
    if (!this.buffers.has(name)) throw new ArgumentError(`${this.constructor.name}: no buffer ${name}`);
    this.buffers.set(name, t);
  }

  /** [name, parameter] pairs with dotted names, depth first, as torch's named_parameters(). */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, t] of this.params) if (t) out.push([prefix + k, t]);
    for (const [k, m] of this.modules) out.push(...m.namedParameters(`${prefix}${k}.`));
    return out;
  }

  /** All parameters (what an optimizer takes). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** [name, buffer] pairs with dotted names. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, t] of this.buffers) if (t) out.push([prefix + k, t]);
    for (const [k, m] of this.modules) out.push(...m.namedBuffers(`${prefix}${k}.`));
    return out;
  }

  /** Direct children as [name, module]. */
  namedChildren(): [string, Module][] {
    return [...this.modules];
  }

  /** Direct children, in registration order. */
  children(): Module[] {
    return [...this.modules.values()];
  }

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.modules.values()) m.train(mode);
    return this;
  }

  /** Evaluation mode (train(false)). */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by PyTorch key, detached (sharing storage). */
  stateDict(): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    for (const [k, t] of this.namedParameters()) sd[k] = t.detach();
    for (const [k, t] of this.namedBuffers()) sd[k] = t.detach();
    return sd;
  }

  /**
   * Copies values into the existing parameters and buffers (so optimizers keep their
   * references). Strict loading reports every missing key, unexpected key and shape
   * mismatch in one error.
   */
  loadStateDict(sd: StateDict, opts: LoadOptions = {}): LoadResult {
    const strict = opts.strict ?? true;
    const targets = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    const missingKeys = [...targets.keys()].filter((k) => !Object.hasOwn(sd, k));
    const unexpectedKeys = Object.keys(sd).filter((k) => !targets.has(k));
    const mismatches: string[] = [];
    const values = new Map<string, Tensor>();
    for (const [k, t] of targets) {
      if (!Object.hasOwn(sd, k)) continue;
      const v = toTensor(sd[k], t.dtype);
      if (!sameShape(v.shape, t.shape))
        mismatches.push(`${k}: got ${fmtShape(v.shape)}, expected ${fmtShape(t.shape)}`);
      else values.set(k, v);
    }
    const problems: string[] = [];
    if (strict && missingKeys.length) problems.push(`missing keys: ${missingKeys.join(', ')}`);
    if (strict && unexpectedKeys.length) problems.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
    if (mismatches.length) problems.push(`shape mismatches: ${mismatches.join('; ')}`);
    if (problems.length)
      throw new ShapeError(`loadStateDict(${this.constructor.name}): ${problems.join(' | ')}`);
    for (const [k, v] of values) {
      const t = targets.get(k)!;
      t.data.set(isFloat(t.dtype) ? v.data : Int32Array.from(v.data));
    }
    return { missingKeys, unexpectedKeys };
  }

  /** Converts every parameter and float buffer to `dtype` (create optimizers afterwards). */
  to(dtype: DType): this {
    if (!isFloat(dtype)) throw new ArgumentError(`Module.to: dtype must be float32 or float64, got ${dtype}`);
    for (const [k, t] of this.params) {
      if (t && t.dtype !== dtype) this.params.set(k, t.detach().to(dtype).requiresGrad_(true));
    }
    for (const [k, t] of this.buffers)
      if (t && isFloat(t.dtype) && t.dtype !== dtype) this.buffers.set(k, keep(t.to(dtype)));
    for (const m of this.modules.values()) m.to(dtype);
    return this;
  }
}

function toTensor(v: StateValue, dtype: DType): Tensor {
  if (v instanceof Tensor) return v.dtype === dtype ? v : v.detach().to(dtype);
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'shape' in v) {
    const data = allocate(dtype, v.data.length);
    for (let i = 0; i < v.data.length; i++) data[i] = v.data[i];
    return tensor(data, { shape: v.shape });
  }
  return tensor(v as NestedArray, { dtype });
}
