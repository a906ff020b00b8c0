// optim: optimizers and learning-rate schedulers (torch.optim).

export { Adam, type AdamOptions, AdamW } from './adam.js';
export { type BaseOptions, Optimizer, type ParamGroup, type ParamGroupInput } from './optimizer.js';
export {
  CosineAnnealingLR,
  type CosineOptions,
  LRScheduler,
  StepLR,
  type StepLROptions,
} from './scheduler.js';
export { SGD, type SGDOptions } from './sgd.js';
