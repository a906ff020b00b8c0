// Learning-rate schedulers, as torch.optim.lr_scheduler: call step() once per epoch, after
// the epoch's optimizer steps. Each sets every group's lr from its initial lr (baseLrs) and
// the epoch count, in closed form, so the schedule never drifts by accumulated rounding.

import { ArgumentError, positiveInt } from '../errors.js';
import type { Optimizer } from './optimizer.js';

export abstract class LRScheduler {
  /** Each group's lr when the scheduler was created. */
  readonly baseLrs: number[];
  /** Epochs stepped so far (0 right after construction). */
  lastEpoch = 0;

  constructor(readonly optimizer: Optimizer) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr as number);
  }

  /** The lr of a group whose initial lr is `base`, at `epoch`. */
  protected abstract lrAt(epoch: number, base: number): number;

  /** Advances one epoch and sets every group's lr. */
  step(): void {
    this.lastEpoch++;
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]);
    });
  }

  /** The current lr of each group (torch's get_last_lr). */
  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr as number);
  }
}

export interface StepLROptions {
  /** Multiplier applied every stepSize epochs (default 0.1, as torch). */
  gamma?: number;
}

/** lr = base * gamma^floor(epoch / stepSize). */
export class StepLR extends LRScheduler {
  readonly gamma: number;

  constructor(
    optimizer: Optimizer,
    readonly stepSize: number,
    opts: StepLROptions = {},
  ) {
    super(optimizer);
    positiveInt('StepLR', 'stepSize', stepSize);
    this.gamma = opts.gamma ?? 0.1;
    if (!(this.gamma > 0)) throw new ArgumentError(`StepLR: gamma must be > 0, got ${this.gamma}`);
  }

  protected lrAt(epoch: number, base: number): number {
    return base * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

export interface CosineOptions {
  /** The lr reached at epoch tMax (default 0). */
  etaMin?: number;
}

/** lr = etaMin + (base - etaMin) (1 + cos(pi epoch / tMax)) / 2: half a cosine from base down to etaMin over tMax epochs (then back up, as torch). */
export class CosineAnnealingLR extends LRScheduler {
  readonly etaMin: number;

  constructor(
    optimizer: Optimizer,
    readonly tMax: number,
    opts: CosineOptions = {},
  ) {
    super(optimizer);
    positiveInt('CosineAnnealingLR', 'tMax', tMax);
    this.etaMin = opts.etaMin ?? 0;
    if (!(this.etaMin >= 0))
      throw new ArgumentError(`CosineAnnealingLR: etaMin must be >= 0, got ${this.etaMin}`);
  }

  protected lrAt(epoch: number, base: number): number {
    return this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax))) / 2;
  }
}
