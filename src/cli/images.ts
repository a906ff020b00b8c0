// A small built-in image for the conv2d demo, drawn procedurally (no image files to ship):
// a square, a disk and a triangle on a black background, anti-aliased by 4x4 supersampling
// so the edge detector sees soft as well as hard edges.

/** A grayscale image, row-major. */
export interface GrayImage {
  width: number;
  height: number;
  /** Row-major intensities in [0, 1]. */
  pixels: Float64Array;
}

type Shape = (x: number, y: number) => boolean;

// Coordinates are in [0, 1) over the image, y pointing down.
const SHAPES: readonly { inside: Shape; value: number }[] = [
  { inside: (x, y) => x > 0.1 && x < 0.42 && y > 0.1 && y < 0.42, value: 1 },
  { inside: (x, y) => (x - 0.7) ** 2 + (y - 0.3) ** 2 < 0.18 ** 2, value: 0.8 },
  // Triangle with apex (0.5, 0.55) and base from (0.2, 0.9) to (0.8, 0.9).
  { inside: (x, y) => y < 0.9 && y > 0.55 && Math.abs(x - 0.5) < ((y - 0.55) / 0.35) * 0.3, value: 0.6 },
];

/** The demo image: `size` x `size` pixels, intensities in [0, 1]. */
export function shapesImage(size = 32): GrayImage {
  const S = 4; // samples per axis per pixel
  const pixels = new Float64Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      let acc = 0;
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          const x = (c + (j + 0.5) / S) / size;
          const y = (r + (i + 0.5) / S) / size;
          const hit = SHAPES.find((s) => s.inside(x, y));
          acc += hit ? hit.value : 0; // a black background: zero padding adds no edge at the border
        }
      }
      pixels[r * size + c] = acc / (S * S);
    }
  }
  return { width: size, height: size, pixels };
}
