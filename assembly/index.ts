// The one entry compiled into every wasm/shousi-*.wasm: the kernels each file exports to the
// JavaScript side (src/kernels/wasm/), named here so that helpers shared between files (the
// GEMM driver, im2col packing, constants) stay internal.
// All kernels take byte addresses into the imported linear memory; the JavaScript side lays
// out operands and scratch there for each call.

export { attentionF32, attentionF64, attentionScratchBytes } from './attention';
export { conv2dBackwardF32, conv2dBackwardF64, conv2dForwardF32, conv2dForwardF64 } from './conv';
export { conv2dIndirectF32, conv2dIndirectScratchBytes } from './conv-indirect';
export { binaryF32, binaryF64, sumRowsF32, sumRowsF64 } from './elementwise';
export { fillF32, fillF64, zeroBytes } from './fill';
export { gemmF32, gemmF64, gemmScratchBytes } from './gemm';
export { kmeansAssignF64 } from './kmeans';
export { layerNormRowsF32, layerNormRowsF64, softmaxRowsF32, softmaxRowsF64 } from './rows';
