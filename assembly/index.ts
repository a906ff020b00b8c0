// The one entry compiled into every wasm/shousi-*.wasm: each file below exports its kernels.
// All kernels take byte addresses into the imported linear memory; the JavaScript side
// (src/kernels/wasm/) lays out operands and scratch there for each call.

export * from './gemm';
export * from './rows';
export * from './kmeans';
