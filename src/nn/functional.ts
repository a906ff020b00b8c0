// F: the functional API (torch.nn.functional), gathered from the op files.

export { linear } from '../ops/linear.js';
export { mseLoss, type MseOptions, type Reduction } from '../ops/loss.js';
export { dropout, type DropoutOptions } from '../ops/dropout.js';
export { softmax, logSoftmax } from '../ops/reduce.js';
export { relu, sigmoid, tanh, gelu } from '../ops/unary.js';
