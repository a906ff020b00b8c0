// nn: modules (one per file) and init.

export { Dropout, GELU, ReLU, Sigmoid, Tanh } from './activation.js';
export { BatchNorm1d, BatchNorm2d, BatchNorm3d, type BatchNormOptions } from './batch-norm.js';
export { Conv2d, type Conv2dOptions, type PaddingMode } from './conv2d.js';
export * as init from './init.js';
export { LayerNorm, type LayerNormOptions } from './layer-norm.js';
export { Linear, type LinearOptions } from './linear.js';
export {
  type LoadOptions,
  type LoadResult,
  Module,
  type ModuleOptions,
  type StateDict,
  type StateValue,
} from './module.js';
export {
  type MhaForwardOptions,
  MultiheadAttention,
  MultiheadAttentionBase,
  type MultiheadAttentionOptions,
} from './multihead-attention.js';
export { SelfAttention, type SelfAttentionOptions } from './self-attention.js';
export { Sequential, type TensorModule } from './sequential.js';
