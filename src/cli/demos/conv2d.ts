// Conv2d demo: the seed's single 3x3 kernel over a 6x6 input, a multi-channel convolution with
// stride, padding, dilation and groups checked against the textbook six nested loops, 'same'
// padding with an even kernel, and Sobel edge detection on a built-in image, plotted.

import { F, Generator, nn, noGrad, randn, type Tensor, tensor } from '../../index.js';
import type { DemoIO, DemoOptions, DemoSummary } from '../demo.js';
import { fmtDims, fmtNum, indent } from '../format.js';
import { maxAbsDiff } from '../helpers.js';
import { shapesImage } from '../images.js';

interface Geometry {
  stride: number;
  padding: number;
  dilation: number;
  groups: number;
}

/** The textbook convolution, one output value at a time (the seed's loops, generalised). */
function directConv2d(x: Tensor, w: Tensor, b: Tensor | null, g: Geometry): number[] {
  const [N, C, H, W] = x.shape;
  const [O, Cg, kh, kw] = w.shape;
  const { stride: s, padding: p, dilation: d, groups } = g;
  const OH = Math.floor((H + 2 * p - d * (kh - 1) - 1) / s) + 1;
  const OW = Math.floor((W + 2 * p - d * (kw - 1) - 1) / s) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const c0 = Math.floor(o / (O / groups)) * Cg; // first input channel of o's group
      for (let i = 0; i < OH; i++) {
        for (let j = 0; j < OW; j++) {
          let acc = b ? b.data[o] : 0;
          for (let c = 0; c < Cg; c++) {
            for (let u = 0; u < kh; u++) {
              for (let v = 0; v < kw; v++) {
                const r = i * s - p + u * d;
                const q = j * s - p + v * d;
                if (r >= 0 && r < H && q >= 0 && q < W) {
                  acc +=
                    x.data[((n * C + c0 + c) * H + r) * W + q] * w.data[((o * Cg + c) * kh + u) * kw + v];
                }
              }
            }
          }
          out.push(acc);
        }
      }
    }
  }
  return out;
}

const SOBEL_X = [
  [-1, 0, 1],
  [-2, 0, 2],
  [-1, 0, 1],
];
const SOBEL_Y = [
  [-1, -2, -1],
  [0, 0, 0],
  [1, 2, 1],
];

/** The conv2d demo. */
export async function run(opts: DemoOptions, io: DemoIO): Promise<DemoSummary> {
  const gen = new Generator(opts.seed);

  io.section("the seed's single kernel: x [1, 1, 6, 6] * weight [1, 1, 3, 3] (no padding, stride 1)");
  const x1 = randn([1, 1, 6, 6], { generator: gen });
  const w1 = randn([1, 1, 3, 3], { generator: gen });
  const y1 = F.conv2d(x1, w1);
  io.log(`x =\n${indent(x1.toString())}`);
  io.log(`weight =\n${indent(w1.toString())}`);
  io.log(`F.conv2d(x, weight) -> ${fmtDims(y1.shape)} =\n${indent(y1.toString())}`);

  io.section(
    'multi-channel: nn.Conv2d(4, 6, 3, {stride: 2, padding: 2, dilation: 2, groups: 2}) on x [2, 4, 9, 9]',
  );
  const geo: Geometry = { stride: 2, padding: 2, dilation: 2, groups: 2 };
  const conv = new nn.Conv2d(4, 6, 3, { ...geo, generator: gen, dtype: 'float64' });
  const x2 = randn([2, 4, 9, 9], { generator: gen, dtype: 'float64' }).requiresGrad_();
  const y2 = conv.forward(x2);
  const direct = directConv2d(x2, conv.weight, conv.bias, geo);
  const maxDiff = maxAbsDiff(direct, y2.data);
  y2.square().sum().backward();
  io.log(
    `weight ${fmtDims(conv.weight.shape)} (each output channel sees 2 of the 4 inputs), output ${fmtDims(y2.shape)}`,
  );
  io.log(`max |im2col+matmul - six nested loops| = ${fmtNum(maxDiff, 3)} (float64)`);
  io.log(
    `backward: dx ${fmtDims(x2.grad!.shape)}, dweight ${fmtDims(conv.weight.grad!.shape)}, dbias ${fmtDims(conv.bias!.grad!.shape)}`,
  );
  const depthwise = new nn.Conv2d(4, 4, 3, { groups: 4, padding: 1, generator: gen });
  const same = new nn.Conv2d(4, 2, [2, 4], { padding: 'same', generator: gen });
  noGrad(() => {
    const xf = x2.detach().to('float32');
    io.log(
      `depthwise (groups = 4): weight ${fmtDims(depthwise.weight.shape)} -> ${fmtDims(depthwise.forward(xf).shape)}`,
    );
    io.log(
      `padding 'same', even kernel 2x4: -> ${fmtDims(same.forward(xf).shape)} (the extra row/column of zeros at the bottom/right, as torch)`,
    );
  });

  io.section('edge detection: Sobel kernels on a built-in 32x32 image, padding 1');
  const img = shapesImage(32);
  const x3 = tensor(img.pixels, { shape: [1, 1, img.height, img.width] });
  const sobel = tensor([SOBEL_X, SOBEL_Y]).reshape([2, 1, 3, 3]);
  const edges = F.conv2d(x3, sobel, { padding: 1 });
  const [gx, gy] = edges.split(1, 1);
  const magnitude = gx.square().add(gy.square()).sqrt();
  let edgePixels = 0;
  for (let i = 0; i < magnitude.size; i++) if (magnitude.data[i] > 0.5) edgePixels++;
  io.log(
    `output ${fmtDims(edges.shape)}: channel 0 = d/dx, channel 1 = d/dy; |gradient| > 0.5 at ${edgePixels} of ${magnitude.size} pixels`,
  );
  const panel = (name: string, t: Tensor) => ({ name, width: img.width, height: img.height, pixels: t.data });
  await io.plot('conv2d-edges', {
    kind: 'images',
    title: 'Conv2d: Sobel edge detection',
    subtitle: 'F.conv2d(image [1,1,32,32], sobel [2,1,3,3], {padding: 1})',
    xLabel: 'column',
    yLabel: 'row',
    colorLabel: 'value',
    panels: [
      panel('input image', x3),
      panel('Sobel x (d/dx)', gx),
      panel('Sobel y (d/dy)', gy),
      panel('|gradient|', magnitude),
    ],
  });

  return io.finish(
    `conv2d [1,1,6,6] -> [${y1.shape.join(',')}]; grouped/strided/dilated conv matches the direct loops to ${fmtNum(maxDiff, 2)}; ` +
      `Sobel found ${edgePixels} edge pixels`,
    { seedOutputShape: [...y1.shape], multiChannelShape: [...y2.shape], maxDiffVsLoops: maxDiff, edgePixels },
  );
}
