// F: the functional API (torch.nn.functional), gathered from the op files.

export { type AttentionResult, type SdpaOptions, scaledDotProductAttention } from '../ops/attention.js';
export { type BatchNormOptions, batchNorm } from '../ops/batch-norm.js';
export { type Conv2dOptions, conv2d, type Padding, type Pair } from '../ops/conv2d.js';
export { type DropoutOptions, dropout } from '../ops/dropout.js';
export { type LayerNormOptions, layerNorm } from '../ops/layer-norm.js';
export { linear } from '../ops/linear.js';
export { type MseOptions, mseLoss, type Reduction } from '../ops/loss.js';
export { type PadMode, type PadOptions, pad } from '../ops/pad.js';
export { logSoftmax, softmax } from '../ops/reduce.js';
export { gelu, relu, sigmoid, tanh } from '../ops/unary.js';
