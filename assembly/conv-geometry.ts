// The geometry of one convolution, as src/kernels/wasm/conv.ts writes it: i32 words at `geo`,
// read here as the fields of an unmanaged class (no header, fields in declaration order, each
// an i32.load at a fixed offset). conv.ts, conv-indirect.ts and im2col.ts all read it
// through these views: `changetype<ConvForwardGeo>(geo).H`.
//
// Legend: N images, C channels, H x W input, O output channels, G groups, kh x kw kernel,
// sh/sw stride, pt/pl top/left padding, dh/dw dilation, OH x OW output. Addresses are bytes.

@unmanaged
export class ConvShape {
  N: i32;
  C: i32;
  H: i32;
  W: i32;
  O: i32;
  G: i32;
  kh: i32;
  kw: i32;
  sh: i32;
  sw: i32;
  pt: i32;
  pl: i32;
  dh: i32;
  dw: i32;
  OH: i32;
  OW: i32;
}

/** The forward's words: the shape, then x, w, b (0 = no bias), y. */
@unmanaged
export class ConvForwardGeo extends ConvShape {
  x: i32;
  w: i32;
  b: i32;
  y: i32;
}

/** The backward's words: the shape, then x, w, dy, dx (0 = not wanted), dW and db wanted, pb. */
@unmanaged
export class ConvBackwardGeo extends ConvShape {
  x: i32;
  w: i32;
  dy: i32;
  dx: i32;
  wantDw: i32;
  wantDb: i32;
  /** Output columns per block. */
  pb: i32;
}
