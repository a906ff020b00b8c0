// F: the functional API (torch.nn.functional), gathered from the op files.

export { linear } from '../ops/linear.js';
export { mseLoss, type MseOptions, type Reduction } from '../ops/loss.js';
export { dropout, type DropoutOptions } from '../ops/dropout.js';
export { softmax, logSoftmax } from '../ops/reduce.js';
export { relu, sigmoid, tanh, gelu } from '../ops/unary.js';
export { scaledDotProductAttention, type AttentionResult, type SdpaOptions } from '../ops/attention.js';
export { layerNorm, type LayerNormOptions } from '../ops/layer-norm.js';
export { batchNorm, type BatchNormOptions } from '../ops/batch-norm.js';
export { conv2d, type Conv2dOptions, type Padding, type Pair } from '../ops/conv2d.js';
