// nn: modules (one per file) and init.

export { Module, type LoadOptions, type LoadResult, type ModuleOptions, type StateDict, type StateValue } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { Sequential, type TensorModule } from './sequential.js';
export { Dropout, GELU, ReLU, Sigmoid, Tanh } from './activation.js';
export * as init from './init.js';
export { LayerNorm, type LayerNormOptions } from './layer-norm.js';
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from './batch-norm.js';
export { Conv2d, type Conv2dOptions } from './conv2d.js';
export {
  MultiheadAttention,
  MultiheadAttentionBase,
  type MhaForwardOptions,
  type MultiheadAttentionOptions,
} from './multihead-attention.js';
export { SelfAttention, type SelfAttentionOptions } from './self-attention.js';
