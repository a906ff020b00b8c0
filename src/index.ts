// shousi — public API. Exports only; no side effects.

export { gradcheck, type GradcheckOptions } from './autograd/gradcheck.js';
export { isGradEnabled, noGrad, setGradEnabled, type BackwardOptions } from './autograd/engine.js';
export {
  ArgumentError,
  AutogradError,
  DataError,
  DivergenceError,
  DTypeError,
  ShapeError,
  ShousiError,
} from './errors.js';
export { Generator, manualSeed, type RandomSource } from './random.js';
export { Tensor, type NestedArray, type Scalar, type TensorLike } from './tensor/tensor.js';
export type { DType, FloatDType, Storage } from './tensor/dtype.js';
export type { Shape } from './tensor/shape.js';
export {
  arange,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  rand,
  randint,
  randintLike,
  randLike,
  randn,
  randnLike,
  tensor,
  zeros,
  zerosLike,
  type CreateOptions,
  type RandomOptions,
} from './tensor/create.js';
export { add, div, maximum, minimum, mul, pow, sub } from './ops/binary.js';
export {
  clamp,
  eq,
  ge,
  gt,
  isfinite,
  isnan,
  le,
  logicalAnd,
  logicalNot,
  logicalOr,
  lt,
  maskedFill,
  ne,
  where,
  type ClampOptions,
} from './ops/compare.js';
export { abs, cast, exp, gelu, log, neg, relu, rsqrt, sigmoid, sign, sqrt, square, tanh, type GeluOptions } from './ops/unary.js';
export {
  amax,
  amin,
  argmax,
  argmin,
  logSoftmax,
  logsumexp,
  max,
  mean,
  min,
  softmax,
  std,
  sum,
  variance,
  variance as var_,
  type Dims,
  type KeepDim,
  type ValuesIndices,
  type VarOptions,
} from './ops/reduce.js';
export { expand, expand as broadcastTo, flatten, narrow, permute, reshape, slice, squeeze, transpose, unsqueeze, type SliceOptions } from './ops/shape.js';
export { cat, chunk, gather, indexSelect, split, stack } from './ops/indexing.js';
export { bmm, matmul } from './ops/matmul.js';
export { argsort, sort, topk, type SortOptions, type TopkOptions } from './ops/sort.js';
export { sumTo } from './ops/util.js';
export * as nn from './nn/index.js';
export * as F from './nn/functional.js';
export {
  kmeans,
  kmeansSteps,
  KMeans,
  KMEANS_DEFAULTS,
  type KMeansInit,
  type KMeansOptions,
  type KMeansResult,
  type KMeansStep,
  type MatrixLike,
} from './algorithms/kmeans.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export {
  batches,
  CALIFORNIA_FEATURES,
  loadCaliforniaHousing,
  loadCsv,
  parseCsv,
  StandardScaler,
  trainTestSplit,
  type Batch,
  type BatchOptions,
  type CaliforniaOptions,
  type CsvOptions,
  type CsvTable,
  type Dataset,
  type ScalerOptions,
  type Split,
  type SplitOptions,
} from './data/index.js';
export { LinearRegression, lstsq, type LinearRegressionOptions } from './algorithms/linear-regression.js';
export { MLP, mlpObjective, type Activation, type MLPFitOptions, type MLPInit, type MLPOptions } from './algorithms/mlp.js';
export { mae, mse, r2, rmse } from './algorithms/metrics.js';
export {
  drain,
  supervisedTask,
  train,
  trainSteps,
  TRAIN_DEFAULTS,
  type EpochRecord,
  type Predictor,
  type TrainEvent,
  type TrainOptions,
  type TrainResult,
  type TrainTask,
} from './algorithms/train.js';
export { CentersModel, type SampleWeightOption } from './algorithms/kmeans-model.js';
export { MiniBatchKMeans, MINIBATCH_KMEANS_DEFAULTS, type MiniBatchKMeansOptions } from './algorithms/minibatch-kmeans.js';
export { adjustedRandIndex } from './algorithms/metrics-cluster.js';
export {
  backend,
  getNumThreads,
  init as initBackend,
  setBackend,
  setNumThreads,
  type BackendName,
} from './kernels/backend.js';
export {
  beamSearch,
  beamSearchSteps,
  beamSearchTable,
  BEAM_SEARCH_DEFAULTS,
  type BeamSearchOptions,
  type BeamStep,
  type Hypothesis,
} from './algorithms/beam-search.js';
export type { StartOptions, StepContext, StepFn } from './algorithms/decode-step.js';
export { greedy, sample, SAMPLE_DEFAULTS, type SampleOptions } from './algorithms/sampling.js';
