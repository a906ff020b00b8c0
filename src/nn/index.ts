// nn: modules (one per file) and init.

export { Module, type LoadOptions, type LoadResult, type ModuleOptions, type StateDict, type StateValue } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { Sequential, type TensorModule } from './sequential.js';
export { Dropout, GELU, ReLU, Sigmoid, Tanh } from './activation.js';
export * as init from './init.js';
