// Reverse-mode autograd over a dynamically built graph.
//
// Every differentiable op calls `record(out, name, inputs, backward)` after computing its
// forward. `backward(dy)` returns one gradient per input (null where an input gets none).
// `Tensor.backward()` walks the graph in reverse topological order, sums the gradients that
// reach each node, checks every gradient's shape against its input (a wrong shape is a bug
// in an op, reported by name), and accumulates into `.grad` of the leaves.

import { AutogradError, fmtShape } from '../errors.js';
import { keep } from '../tensor/memory.js';
import { sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** Maps the output gradient to one gradient per input (same order as `inputs`). */
export type BackwardFn = (dy: Tensor) => (Tensor | null)[];

/** A node of the graph: the op that produced a tensor. */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  backward: BackwardFn | null; // null once released
}

let gradEnabled = true;

/** Whether ops currently record the graph. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording the graph (like `with torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` with recording on or off, restoring the previous mode afterwards. */
export function setGradEnabled<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Attaches `backward` to `out` when recording is on and any input requires grad; returns `out`. */
export function record(out: Tensor, name: string, inputs: readonly Tensor[], backward: BackwardFn): Tensor {
  if (!gradEnabled) return out;
  let any = false;
  for (const t of inputs) if (t.requiresGrad) any = true;
  if (!any) return out;
  out.requiresGrad = true;
  out.gradFn = { name, inputs, backward };
  return out;
}

let pass = 0; // numbers backward passes: a tensor's `visitedBy` says which pass saw it last

/**
 * Tensors reachable from `root` through grad-requiring edges, inputs before outputs. Marks
 * each with this pass's number instead of keeping a Set: small graphs (a training step) were
 * dominated by the hashing.
 */
function topoOrder(root: Tensor, id: number): Tensor[] {
  const order: Tensor[] = [];
  // Iterative DFS (long training graphs would overflow a recursive one): a stack of tensors
  // and, beside it, the next input of each to visit.
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  root.visitedBy = id;
  while (stack.length > 0) {
    const top = stack.length - 1;
    const t = stack[top];
    const inputs = t.gradFn === null ? NO_INPUTS : t.gradFn.inputs;
    const i = next[top];
    if (i < inputs.length) {
      next[top] = i + 1;
      const child = inputs[i];
      if (child.requiresGrad && child.visitedBy !== id) {
        child.visitedBy = id;
        stack.push(child);
        next.push(0);
      }
    } else {
      stack.pop();
      next.pop();
      order.push(t);
    }
  }
  return order;
}

const NO_INPUTS: readonly Tensor[] = [];

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (default false). */
  retainGraph?: boolean;
}

/** Backpropagates `grad` (default ones for a scalar) from `root` into the leaves' `.grad`. */
export function runBackward(root: Tensor, grad: Tensor | undefined, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new AutogradError('backward: tensor does not require grad and has no grad_fn');
  }
  let seed: Tensor;
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new AutogradError(
        `backward: grad can be implicitly created only for scalar outputs, got shape ${fmtShape(root.shape)}`,
      );
    }
    seed = root.onesLike();
  } else {
    if (!sameShape(grad.shape, root.shape)) {
      throw new AutogradError(
        `backward: grad shape ${fmtShape(grad.shape)} does not match output shape ${fmtShape(root.shape)}`,
      );
    }
    seed = grad.to(root.dtype);
  }
  const order = topoOrder(root, ++pass);
  // Each tensor's incoming gradients are summed in its `pendingGrad` (no Map), cleared as it
  // is consumed, and in the finally block for any left behind by an error.
  root.pendingGrad = seed;
  const prevMode = gradEnabled;
  gradEnabled = false; // backward functions run without recording, as under noGrad
  try {
    for (let idx = order.length - 1; idx >= 0; idx--) {
      const t = order[idx];
      const g = t.pendingGrad;
      t.pendingGrad = null;
      if (g === null) continue;
      const node = t.gradFn;
      if (node === null) {
        t.grad = keep(t.grad === null ? g.clone() : t.grad.add(g)); // .grad outlives tidy()
        continue;
      }
      if (t.retainsGrad) t.grad = keep(t.grad === null ? g.clone() : t.grad.add(g));
      if (node.backward === null) {
        throw new AutogradError(
          `backward: trying to backward through the graph a second time (${node.name}); pass {retainGraph: true} to the first backward`,
        );
      }
      const inGrads = node.backward(g);
      if (!opts.retainGraph) node.backward = null;
      for (let i = 0; i < node.inputs.length; i++) {
        const x = node.inputs[i];
        const gx = inGrads[i];
        if (!x.requiresGrad || gx === null || gx === undefined) continue;
        if (!sameShape(gx.shape, x.shape)) {
          throw new AutogradError(
            `${node.name} backward: gradient for input ${i} has shape ${fmtShape(gx.shape)}, expected ${fmtShape(x.shape)}`,
          );
        }
        const gxd = gx.dtype === x.dtype ? gx : gx.to(x.dtype);
        x.pendingGrad = x.pendingGrad === null ? gxd : x.pendingGrad.add(gxd);
      }
    }
  } finally {
    gradEnabled = prevMode;
    for (const t of order) t.pendingGrad = null;
  }
}
