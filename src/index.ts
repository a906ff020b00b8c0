// shousi — public API. Exports only; no side effects. Grouped as the folders are: autograd and
// errors, random, the tensor and its creation, ops, nn / F, optim, data, algorithms, backend.

// Autograd, errors, random numbers

export { type BackwardOptions, isGradEnabled, noGrad, setGradEnabled } from './autograd/engine.js';
export { type GradcheckOptions, gradcheck } from './autograd/gradcheck.js';
export {
  ArgumentError,
  AutogradError,
  DataError,
  DisposedError,
  DivergenceError,
  DTypeError,
  ShapeError,
  ShousiError,
} from './errors.js';
export { Generator, manualSeed, type RandomSource } from './random.js';

// The tensor and its creation

export {
  arange,
  type CreateOptions,
  eye,
  full,
  fullLike,
  linspace,
  ones,
  onesLike,
  type RandomOptions,
  rand,
  randint,
  randintLike,
  randLike,
  randn,
  randnLike,
  tensor,
  zeros,
  zerosLike,
} from './tensor/create.js';
export type { DType, FloatDType, Storage } from './tensor/dtype.js';
export {
  dispose,
  emptyMemoryPool,
  keep,
  type MemoryInfo,
  memoryInfo,
  setMemoryPoolLimit,
  setResidentLimit,
  tidy,
} from './tensor/memory.js';
export type { Shape } from './tensor/shape.js';
export { type NestedArray, type Scalar, Tensor, type TensorLike } from './tensor/tensor.js';

// Ops (also methods of Tensor)

export { add, div, maximum, minimum, mul, pow, sub } from './ops/binary.js';
export {
  type ClampOptions,
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
} from './ops/compare.js';
export { cat, chunk, gather, indexSelect, split, stack } from './ops/indexing.js';
export { bmm, matmul } from './ops/matmul.js';
export {
  amax,
  amin,
  argmax,
  argmin,
  type Dims,
  type KeepDim,
  logSoftmax,
  logsumexp,
  max,
  mean,
  min,
  softmax,
  std,
  sum,
  type ValuesIndices,
  type VarOptions,
  variance,
  variance as var_,
} from './ops/reduce.js';
export {
  expand,
  expand as broadcastTo,
  flatten,
  narrow,
  permute,
  reshape,
  type SliceOptions,
  slice,
  squeeze,
  transpose,
  unsqueeze,
} from './ops/shape.js';
export { argsort, type SortOptions, sort, type TopkOptions, topk } from './ops/sort.js';
export {
  abs,
  cast,
  exp,
  type GeluOptions,
  gelu,
  log,
  neg,
  relu,
  rsqrt,
  sigmoid,
  sign,
  sqrt,
  square,
  tanh,
} from './ops/unary.js';
export { sumTo } from './ops/util.js';

// Layers, the functional API, optimizers

export * as F from './nn/functional.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';

// Data

export * as data from './data/index.js';
export {
  type Batch,
  type BatchOptions,
  batches,
  CALIFORNIA_FEATURES,
  type CaliforniaOptions,
  type CsvOptions,
  type CsvTable,
  type Dataset,
  loadCaliforniaHousing,
  loadCsv,
  parseCsv,
  type ScalerOptions,
  type Split,
  type SplitOptions,
  StandardScaler,
  trainTestSplit,
} from './data/index.js';

// Algorithms: training, linear regression, the hand-written MLP, metrics

export { type LstsqOptions, lstsq } from './algorithms/least-squares.js';
export { LinearRegression, type LinearRegressionOptions } from './algorithms/linear-regression.js';
export { mae, mse, r2, rmse } from './algorithms/metrics.js';
export {
  type Activation,
  MLP,
  type MLPFitOptions,
  type MLPInit,
  type MLPOptions,
  mlpObjective,
} from './algorithms/mlp.js';
export {
  drain,
  type EpochRecord,
  type Predictor,
  supervisedTask,
  TRAIN_DEFAULTS,
  type TrainEvent,
  type TrainOptions,
  type TrainResult,
  type TrainTask,
  train,
  trainSteps,
} from './algorithms/train.js';

// Algorithms: k-means

export {
  KMEANS_DEFAULTS,
  KMeans,
  type KMeansInit,
  type KMeansOptions,
  type KMeansResult,
  type KMeansStep,
  kmeans,
  kmeansSteps,
  type MatrixLike,
} from './algorithms/kmeans.js';
export { CentersModel, type SampleWeightOption } from './algorithms/kmeans-model.js';
export { adjustedRandIndex, type Labels } from './algorithms/metrics-cluster.js';
export {
  MINIBATCH_KMEANS_DEFAULTS,
  MiniBatchKMeans,
  type MiniBatchKMeansOptions,
} from './algorithms/minibatch-kmeans.js';

// Algorithms: decoding (beam search, greedy, sampling, the toy Markov model they are shown on)

export {
  BEAM_SEARCH_DEFAULTS,
  type BeamSearchOptions,
  type BeamStep,
  beamSearch,
  beamSearchSteps,
  type Hypothesis,
} from './algorithms/beam-search.js';
export { beamSearchTable } from './algorithms/beam-search-table.js';
export type { StartOptions, StepContext, StepFn } from './algorithms/decode-step.js';
export { type MarkovOptimumOptions, markovOptimum, markovStep } from './algorithms/markov-model.js';
export { greedy, SAMPLE_DEFAULTS, type SampleOptions, sample } from './algorithms/sampling.js';

// Compute backend: TypeScript kernels or WebAssembly SIMD, threads

export {
  type BackendName,
  backend,
  getNumThreads,
  type InitOptions,
  init as initBackend,
  setBackend,
  setNumThreads,
  threadsSupported,
} from './kernels/backend.js';
