// data: loaders, split, scaling and minibatches.

export { type Batch, type BatchOptions, batches, numBatches } from './batches.js';
export {
  CALIFORNIA_FEATURES,
  type CaliforniaOptions,
  californiaHousingPath,
  type Dataset,
  loadCaliforniaHousing,
} from './california.js';
export { type CsvOptions, type CsvTable, loadCsv, parseCsv } from './csv.js';
export { type ScalerOptions, StandardScaler } from './scaler.js';
export { type Split, type SplitOptions, trainTestSplit } from './split.js';
