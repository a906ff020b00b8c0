// nn.Conv2d over F.conv2d (NCHW). weight [O, C/groups, kh, kw] and bias [O] start as torch's
// kaiming_uniform(a = sqrt(5)), which reduces to U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with
// fanIn = (C/groups) kh kw, for both.
// Dims: N batch, C inChannels, O outChannels, H x W input, kh x kw kernel, OH x OW output.

import { ArgumentError, positiveInt } from '../errors.js';
import { conv2d, type Padding, type Pair, resolvePadding, toPair } from '../ops/conv2d.js';
import { pad } from '../ops/pad.js';
import { withDefaults } from '../options.js';
import { toGenerator } from '../random.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { uniform_ } from './init.js';
import { MODULE_OPTIONS, Module, type ModuleOptions } from './module.js';

/** Options of nn.Conv2d (torch's keyword arguments). */
export interface Conv2dOptions extends ModuleOptions {
  /** Step between output pixels (default 1). */
  stride?: Pair;
  /** Zeros around the input: int, [h, w], 'valid' or 'same' (stride 1 only) (default 0). */
  padding?: Padding;
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair;
  /** Independent channel groups; groups = inChannels is depthwise (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** What the padding holds: 'zeros' (default), 'reflect', 'replicate' or 'circular' (see F.pad). */
  paddingMode?: PaddingMode;
}

/** torch's padding_mode values. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
const PADDING_MODES: readonly string[] = ['zeros', 'reflect', 'replicate', 'circular'];

const DEFAULTS = {
  stride: 1,
  padding: 0,
  dilation: 1,
  groups: 1,
  bias: true,
  paddingMode: 'zeros',
} satisfies Required<Omit<Conv2dOptions, keyof ModuleOptions>>;

/** A 2-D convolution layer over NCHW images (torch.nn.Conv2d). */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: Padding;
  readonly dilation: readonly [number, number];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  // [left, right, top, bottom] for F.pad when paddingMode is not 'zeros' (torch's
  // _reversed_padding_repeated_twice): the input is padded first, then convolved with none
  private readonly padLRTB: number[];

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dOptions = {}) {
    super();
    const opts = withDefaults(DEFAULTS, options, 'Conv2d', MODULE_OPTIONS);
    positiveInt('Conv2d', 'inChannels', inChannels);
    positiveInt('Conv2d', 'outChannels', outChannels);
    positiveInt('Conv2d', 'groups', opts.groups);
    if (inChannels % opts.groups !== 0 || outChannels % opts.groups !== 0) {
      throw new ArgumentError(
        `Conv2d: inChannels ${inChannels} and outChannels ${outChannels} must be divisible by groups ${opts.groups}`,
      );
    }
    const [kh, kw] = toPair('Conv2d', 'kernelSize', kernelSize, 1);
    this.stride = toPair('Conv2d', 'stride', opts.stride, 1);
    this.dilation = toPair('Conv2d', 'dilation', opts.dilation, 1);
    // validates now, as torch
    const [pt, pb, pl, pr] = resolvePadding('Conv2d', opts.padding, this.stride, this.dilation, [kh, kw]);
    if (!PADDING_MODES.includes(opts.paddingMode)) {
      throw new ArgumentError(
        `Conv2d: paddingMode must be 'zeros', 'reflect', 'replicate' or 'circular', got ${String(opts.paddingMode)}`,
      );
    }
    this.paddingMode = opts.paddingMode;
    this.padLRTB = [pl, pr, pt, pb];
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = [kh, kw];
    this.padding = opts.padding;
    this.groups = opts.groups;
    const g = toGenerator(opts.generator);
    const cg = inChannels / opts.groups;
    const bound = 1 / Math.sqrt(cg * kh * kw);
    const dtype = opts.dtype ?? 'float32';
    const init = (shape: number[]) => uniform_(zeros(shape, { dtype }), -bound, bound, g);
    this.registerParameter('weight', init([outChannels, cg, kh, kw]));
    this.registerParameter('bias', opts.bias ? init([outChannels]) : null);
  }

  get weight(): Tensor {
    return this.param('weight');
  }
  get bias(): Tensor | null {
    return this.optionalParam('bias');
  }

  /** x: [N, C, H, W] (or [C, H, W]) -> [N, O, OH, OW]. */
  forward(x: Tensor): Tensor {
    const mode = this.paddingMode;
    const padded = mode === 'zeros' ? null : pad(x, this.padLRTB, { mode });
    return conv2d(padded ?? x, this.weight, {
      bias: this.bias,
      stride: this.stride,
      padding: padded ? 0 : this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
}
